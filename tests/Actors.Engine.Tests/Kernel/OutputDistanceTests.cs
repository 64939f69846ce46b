using Disco.Actors.Engine.Model;
using Disco.Actors.Testing;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Tests.Kernel;

/// <summary>
/// A partition promises the least over its pending events of time + the event component's distance to the
/// partition's edge, not next event + smallest outgoing latency: components deep inside a partition widen windows.
/// </summary>
public sealed class OutputDistanceTests
{
    private const int Hops = 40;

    [Fact]
    public void A_distance_is_the_shortest_path_over_local_links_to_a_link_that_leaves_the_partition()
    {
        // 0 -10-> 1 -20-> 2 -5-> 3 -7-> 0; partitions {0, 1} and {2, 3}.
        var links = LinkTable.LinksOnly(4);
        links.Connect(new(0), new(1), SimTime.FromNs(10));
        links.Connect(new(1), new(2), SimTime.FromNs(20));
        links.Connect(new(2), new(3), SimTime.FromNs(5));
        links.Connect(new(3), new(0), SimTime.FromNs(7));
        long[] d = OutputDistances.Compute(links, [0, 0, 1, 1], 2);
        Assert.Equal([30_000L, 20_000L, 12_000L, 7_000L], d);

        // One partition: nothing can leave it.
        Assert.All(OutputDistances.Compute(links, [0, 0, 0, 0], 1), x => Assert.Equal(LinkTable.NoLink, x));
    }

    [Fact]
    public void A_default_latency_bounds_every_component_that_has_it()
    {
        var links = new LinkTable(3, SimTime.FromNs(100));
        links.Connect(new(0), new(1), SimTime.FromNs(30));
        Assert.Equal([100_000L, 100_000L, 100_000L], OutputDistances.Compute(links, [0, 0, 1], 2));
    }

    [Fact]
    public void A_core_behind_a_cache_opens_windows_of_its_full_distance_and_every_layout_agrees()
    {
        // Component 0 (the core) steps every 1 ns and every 10th step asks 1 (its cache, 10 ns away), which asks 2
        // (memory, another partition, 1 ns away), which answers the core after 50 ns. The smallest outgoing latency
        // of partition {0, 1} is 1 ns, but the core is 11 ns from its edge.
        var reference = EngineMatrix.Sequential(Build);
        var runs = EngineMatrix.RunAll(Build, partitions: [2, 0], threads: [1, 2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        foreach (var (_, result) in runs.Where(r => r.Result.Stats is not null))
        {
            Assert.Equal(reference.Digest, result.Digest);
            Assert.Equal(reference.Events, result.Events);
            Assert.Equal(result.Events, result.Stats!.PartitionEvents.Sum());
        }

        // Windows depend on the placement, never on threads; with 2 partitions about one per 11 ns, not per 1 ns.
        var two = runs.Where(r => r.Result.Partitions == 2).Select(r => r.Result.Stats!.Windows).Distinct().ToArray();
        long perNs = SimTime.FromNs(Hops * 10).Ps / SimTime.FromNs(1).Ps;
        Assert.InRange(Assert.Single(two), 1, perNs / 5);
    }

    private static SimulationModel Build()
    {
        var links = LinkTable.LinksOnly(3);
        links.Connect(new(0), new(1), SimTime.FromNs(10));
        links.Connect(new(1), new(2), SimTime.FromNs(1));
        links.Connect(new(2), new(0), SimTime.FromNs(50));
        int steps = 0;
        var core = new ScriptedComponent(
            0,
            c => c.Send(c.Self, SimTime.FromNs(1), new Note("step")),
            (n, c) =>
            {
                if (n.Label == "step")
                {
                    if (++steps % 10 == 0)
                    {
                        c.Send(new(1), SimTime.FromNs(10), new Note("miss"));
                    }

                    c.Send(c.Self, SimTime.FromNs(1), new Note("step"));
                }
            });
        var cache = new ScriptedComponent(1, handle: (n, c) => c.Send(new(2), SimTime.FromNs(1), n));
        var memory = new ScriptedComponent(2, handle: (n, c) => c.Send(new(0), SimTime.FromNs(50), new Note("fill")));
        return new SimulationModel("core-cache-memory", [core, cache, memory], links, SimTime.FromNs(Hops * 10), seed: 1);
    }
}
