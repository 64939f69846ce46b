namespace Disco.Actors.Engine.Model;

/// <summary>
/// Which actor (partition) hosts which component, and the lookahead each partition guarantees: the smallest latency
/// of any link leaving it. Immutable; shared read-only by all partitions of one process.
/// </summary>
public sealed class Placement
{
    private Placement(int[] partitionOf, int partitionCount, SimulationModel model)
    {
        PartitionOfArray = partitionOf;
        PartitionCount = partitionCount;
        LocalIndexOfArray = new int[partitionOf.Length];
        var members = new List<int>[PartitionCount];
        for (int p = 0; p < PartitionCount; p++)
        {
            members[p] = [];
        }

        for (int c = 0; c < partitionOf.Length; c++)
        {
            LocalIndexOfArray[c] = members[partitionOf[c]].Count;
            members[partitionOf[c]].Add(c);
        }

        Members = [.. members.Select(m => m.ToArray())];
        CrossLatencyPs = ComputeCrossLatencies(model.Links);
        _links = model.Links;
    }

    private readonly LinkTable _links;
    private long[]? _outputDistancePs;

    /// <summary>
    /// Per component id, the least time from an event it handles to an arrival in another partition
    /// (<see cref="OutputDistances"/>); computed once, on first use.
    /// </summary>
    internal long[] OutputDistancePs => _outputDistancePs ??= OutputDistances.Compute(_links, PartitionOfArray, PartitionCount);

    public int PartitionCount { get; }

    /// <summary>Partition of each component, by component id.</summary>
    public IReadOnlyList<int> PartitionOf => PartitionOfArray;

    /// <summary>Index of each component inside its partition, by component id.</summary>
    public IReadOnlyList<int> LocalIndexOf => LocalIndexOfArray;

    // Shared, never written after construction: one copy per process however many partitions read it.
    internal int[] PartitionOfArray { get; }

    internal int[] LocalIndexOfArray { get; }

    /// <summary>Component ids of each partition, ascending.</summary>
    public IReadOnlyList<int[]> Members { get; }

    /// <summary>Smallest latency of a link from each partition to another: how far it can run ahead of its inputs.</summary>
    public IReadOnlyList<long> CrossLatencyPs { get; }

    /// <summary>The global lookahead: the smallest latency of any link that crosses partitions.</summary>
    public long LookaheadPs => CrossLatencyPs.Count == 0 ? long.MaxValue : CrossLatencyPs.Min();

    /// <summary>Everything in one partition: the sequential kernel's view.</summary>
    public static Placement Single(SimulationModel model) => new(new int[model.Components.Count], 1, model);

    /// <summary>The design's default mapping: one actor per component.</summary>
    public static Placement OnePerComponent(SimulationModel model) =>
        new([.. Enumerable.Range(0, model.Components.Count)], model.Components.Count, model);

    /// <summary>
    /// <paramref name="partitions"/> actors, each a contiguous range of placement keys, so that components that
    /// belong together (a FLASH node, neighbouring PHOLD LPs) share an actor.
    /// </summary>
    public static Placement Partitioned(SimulationModel model, int partitions)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        int[] keys = [.. model.Components.Select(c => c.PlacementKey).Distinct().Order()];
        int k = Math.Min(partitions, Math.Max(1, keys.Length));
        var rankOfKey = new Dictionary<int, int>(keys.Length);
        for (int i = 0; i < keys.Length; i++)
        {
            rankOfKey[keys[i]] = i;
        }

        int[] partitionOf = [.. model.Components.Select(c => (int)((long)rankOfKey[c.PlacementKey] * k / keys.Length))];
        return new Placement(partitionOf, partitionOf.Length == 0 ? 0 : partitionOf.Max() + 1, model);
    }

    private long[] ComputeCrossLatencies(LinkTable links)
    {
        var cross = new long[PartitionCount];
        Array.Fill(cross, LinkTable.NoLink);
        if (PartitionCount <= 1)
        {
            return cross;
        }

        for (int c = 0; c < PartitionOf.Count; c++)
        {
            // A default latency lets the component reach every other partition.
            int p = PartitionOf[c];
            cross[p] = Math.Min(cross[p], links.DefaultPs(c));
        }

        foreach (var (from, to, ps) in links.ExplicitLinks())
        {
            int p = PartitionOf[from];
            if (p != PartitionOf[to])
            {
                cross[p] = Math.Min(cross[p], ps);
            }
        }

        return cross;
    }
}
