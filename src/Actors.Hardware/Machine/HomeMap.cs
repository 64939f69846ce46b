namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// Which node is home to a page or a line: memory is split in consecutive runs of <see cref="PagesPerNode"/> pages,
/// node 0 first. The directories, the cache controllers and the disks all ask here.
/// </summary>
public sealed record HomeMap(long PagesPerNode, int LineShift)
{
    /// <summary>log2 of the lines in a page.</summary>
    public int LinesPerPageShift => MachineConstants.PageShift - LineShift;

    public int NodeOfPage(long page) => (int)(page / PagesPerNode);

    public int NodeOfLine(long line) => NodeOfPage(line >> LinesPerPageShift);

    public static HomeMap Of(MachineParams parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new HomeMap(parameters.PagesPerNode, parameters.L2.LineShift);
    }
}
