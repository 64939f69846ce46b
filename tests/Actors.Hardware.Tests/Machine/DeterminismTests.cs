using Disco.Actors.Engine.Model;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;
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
    public void With_memory_controllers_a_bare_run_gives_one_digest_sequentially_per_component_and_per_node_at_1_and_2_threads()
    {
        var runs = EngineMatrix.RunAll(() => SmallModels.Engineering(), partitions: [0, 4], threads: [1, 2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        Assert.Equal(5, runs.Count);

        // By node: each memory controller shares its partition with its node's directory and processor, so the
        // directory<->controller traffic never crosses actors.
        var model = SmallModels.Engineering();
        var layout = new MachineLayout(4, 2);
        var byNode = Placement.Partitioned(model, 4);
        for (int n = 0; n < 4; n++)
        {
            Assert.Equal(MemoryControllerComponent.KindName, model.Components[layout.MemoryController(n).Value].Kind);
            Assert.Equal(byNode.PartitionOf[layout.Directory(n).Value], byNode.PartitionOf[layout.MemoryController(n).Value]);
            Assert.Equal(byNode.PartitionOf[layout.Processor(n).Value], byNode.PartitionOf[layout.MemoryController(n).Value]);
        }

        var r = runs[0].Result;
        Assert.True(r.Counter("hw.mc.reads") > 0);
        Assert.True(r.Counter("hw.mc.fences") > 0, "disk DMA completions wait for the memory controller");
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
