using Disco.Actors.Engine.Model;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Machine;

public class DeterminismTests
{
    private static void AssertSameOnEveryEngine(Func<SimulationModel> build, int nodes)
    {
        var runs = EngineMatrix.RunAll(build, partitions: [0, nodes], threads: [2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        Assert.Equal(3, runs.Count);
    }

    [Fact]
    public void Engineering_like_runs_give_one_digest_on_the_sequential_kernel_per_component_actors_and_per_node_actors()
    {
        AssertSameOnEveryEngine(() => SmallModels.Engineering(), 4);

        // ...and the run exercised what it should: sharing, disks, interrupts, time slices.
        var r = EngineMatrix.Sequential(() => SmallModels.Engineering());
        Assert.True(r.Counter("hw.dir.invalidations") > 0);
        Assert.True(r.Counter("hw.dir.forwards") > 0);
        Assert.True(r.Counter("hw.disk.requests") > 0);
        Assert.True(r.Counter("hw.dir.dma_pages") > 0);
        Assert.True(r.Counter("hw.dir.hot_page_interrupts") > 0);
        Assert.True(r.Counter("bare.context_switches") > 0);
        Assert.True(r.Counter("cpu_time_ps.idle") > 0);
        Assert.Equal(6 * 30_000, r.Counter("instructions"));
    }

    [Fact]
    public void Raytrace_like_runs_give_one_digest_on_every_engine()
    {
        AssertSameOnEveryEngine(() => SmallModels.Raytrace(), 8);
        var r = EngineMatrix.Sequential(() => SmallModels.Raytrace());
        Assert.True(r.Counter("bare.allocator.shared_hits") > 0, "processes share the scene's pages");
    }

    [Fact]
    public void Trace_replay_gives_one_digest_on_every_engine() => AssertSameOnEveryEngine(() => SmallModels.Trace(), 1);

    [Fact]
    public void Another_seed_gives_another_execution()
    {
        var a = EngineMatrix.Sequential(() => SmallModels.Engineering(seed: 7));
        var b = EngineMatrix.Sequential(() => SmallModels.Engineering(seed: 8));
        Assert.NotEqual(a.Digest, b.Digest);
    }
}
