namespace Disco.Actors.Host.Output;

/// <summary>One guest kernel service of a run: how often it ran and the simulated time it took in all.</summary>
internal sealed record ServiceFigures(string Name, long Count, long TimePs)
{
    public double AveragePs => Count > 0 ? (double)TimePs / Count : 0;
}
