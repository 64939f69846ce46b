namespace Disco.Actors.Host.Output;

/// <summary>
/// One guest kernel service of a run: how often it ran, the simulated time it took in all and, under the monitor,
/// what that time went to (<c>services.&lt;name&gt;.split</c>; empty otherwise).
/// </summary>
internal sealed record ServiceFigures(string Name, long Count, long TimePs, IReadOnlyList<KeyValuePair<string, long>> Split)
{
    public ServiceFigures(string name, long count, long timePs)
        : this(name, count, timePs, [])
    {
    }

    public double AveragePs => Count > 0 ? (double)TimePs / Count : 0;
}
