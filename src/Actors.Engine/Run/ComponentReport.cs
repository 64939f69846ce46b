namespace Disco.Actors.Engine.Run;

/// <summary>What one component reports at the end of a run: its digest, its event count and its counters.</summary>
public sealed record ComponentReport(int Id, string Kind, int PlacementKey, ulong Digest, long Handled, IReadOnlyDictionary<string, long> Counters)
{
    private static readonly IReadOnlyDictionary<int, IReadOnlyDictionary<string, long>> NoneLent = new Dictionary<int, IReadOnlyDictionary<string, long>>();

    /// <summary>Counters this component reported on behalf of others, by owner id (<see cref="Components.IStatsSink.On"/>).</summary>
    public IReadOnlyDictionary<int, IReadOnlyDictionary<string, long>> Lent { get; init; } = NoneLent;

    /// <summary>
    /// The reports with every lent counter moved to its owner's report (summed with the owner's own), so counters by
    /// kind and by name read the same whichever component held the state at the end.
    /// </summary>
    public static IReadOnlyList<ComponentReport> Settle(IReadOnlyList<ComponentReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.All(r => r.Lent.Count == 0))
        {
            return reports;
        }

        var extra = new Dictionary<int, SortedDictionary<string, long>>();
        foreach (var r in reports)
        {
            foreach (var (owner, counters) in r.Lent)
            {
                if (!extra.TryGetValue(owner, out var sums))
                {
                    sums = new SortedDictionary<string, long>(StringComparer.Ordinal);
                    extra[owner] = sums;
                }

                foreach (var (name, value) in counters)
                {
                    sums[name] = sums.GetValueOrDefault(name) + value;
                }
            }
        }

        var settled = new List<ComponentReport>(reports.Count);
        foreach (var r in reports)
        {
            if (!extra.Remove(r.Id, out var sums))
            {
                settled.Add(r.Lent.Count == 0 ? r : r with { Lent = NoneLent });
                continue;
            }

            foreach (var (name, value) in r.Counters)
            {
                sums[name] = sums.GetValueOrDefault(name) + value;
            }

            settled.Add(r with { Counters = sums, Lent = NoneLent });
        }

        if (extra.Count > 0)
        {
            throw new InvalidOperationException($"counters lent to component {extra.Keys.Min()}, which reported nothing");
        }

        return settled;
    }

    /// <summary>
    /// A hash of the component's state without its digest (<see cref="State.ComponentState.Hash"/>): equal in two
    /// runs whose handling orders differ but whose results do not. 0 when not asked for.
    /// </summary>
    public ulong StateHash { get; init; }
}
