namespace Disco.Actors.Engine.Run;

/// <summary>What one component reports at the end of a run: its digest, its event count and its counters.</summary>
public sealed record ComponentReport(int Id, string Kind, int PlacementKey, ulong Digest, long Handled, IReadOnlyDictionary<string, long> Counters)
{
    /// <summary>
    /// A hash of the component's state without its digest (<see cref="State.ComponentState.Hash"/>): equal in two
    /// runs whose handling orders differ but whose results do not. 0 when not asked for.
    /// </summary>
    public ulong StateHash { get; init; }
}
