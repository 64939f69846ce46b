using Disco.Actors.Engine.Run;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>The monitor runs on the machine: its handlers fetch their code and touch their data through the caches.</summary>
public class MonitorFootprintTests
{
    private const string Prefix = ProcessorComponent.MonitorModePrefix + ".";

    private static MachineParams FourNodes => GuestRuns.Machine(4) with { Disks = 2 };

    private static Engine.Model.SimulationModel Build(bool replicate, int vms = 4, int perVm = 1, long seed = 1) => GuestRuns.Build(
        GuestRuns.Pmake(jobs: 2, warm: true),
        underMonitor: true,
        seed,
        monitor: GuestRuns.Monitor with { Vms = vms, VcpusPerVm = perVm, CheckInvariants = false, ReplicateCode = replicate },
        machine: FourNodes);

    private static long Node(RunResult r, int node, string name) =>
        r.Components.Single(c => c.Kind == ProcessorComponent.KindName && c.PlacementKey == node).Counters.GetValueOrDefault(Prefix + name);

    [Fact]
    public void Under_Disco_the_monitor_fetches_instructions_and_misses_in_monitor_mode_and_bare_it_does_nothing()
    {
        var disco = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: true).Result;
        var bare = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: false).Result;
        foreach (string name in new[] { "fetches", "data_accesses", "l1i_misses", "l1d_misses", "l2_misses.fetch_local", "l2_misses.data_local" })
        {
            Assert.True(disco.Counter(Prefix + name) > 0, name);
            Assert.Equal(0, bare.Counter(Prefix + name));
        }

        // One node: every miss is local. The fetches are at least one line per trap (each enters the trap code).
        Assert.Equal(0, disco.Counter(Prefix + "l2_misses.fetch_remote") + disco.Counter(Prefix + "l2_misses.data_remote"));
        Assert.True(disco.Counter(Prefix + "fetches") >= disco.Counter("monitor.traps"));
        Assert.True(disco.Counter("cpu_time_ps.stall_monitor") > 0);
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(1, 4)]
    public void Without_replicated_code_every_node_but_node_0_takes_remote_instruction_misses_and_node_0_none(int vms, int perVm)
    {
        var r = Engine.Kernel.SequentialKernel.Run(Build(replicate: false, vms, perVm));
        Assert.Equal(0, Node(r, 0, "l2_misses.fetch_remote"));
        Assert.True(Node(r, 0, "l2_misses.fetch_local") > 0);
        for (int n = 1; n < 4; n++)
        {
            Assert.True(Node(r, n, "l2_misses.fetch_remote") > 0, $"node {n}");
            Assert.Equal(0, Node(r, n, "l2_misses.fetch_local"));
        }
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(1, 4)]
    public void With_replicated_code_every_monitor_instruction_miss_is_local(int vms, int perVm)
    {
        var r = Engine.Kernel.SequentialKernel.Run(Build(replicate: true, vms, perVm));
        Assert.Equal(0, r.Counter(Prefix + "l2_misses.fetch_remote"));
        for (int n = 0; n < 4; n++)
        {
            Assert.True(Node(r, n, "l2_misses.fetch_local") > 0, $"node {n}");
        }
    }

    [Fact]
    public void The_monitor_footprint_gives_one_digest_on_the_sequential_kernel_and_every_actor_mapping() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => Build(replicate: false, vms: 2, perVm: 2), partitions: [0, 2], threads: [2])));

    /// <summary>Cut while a processor still has handler lines to go through (one blocked on a miss at best), resumed on both engines.</summary>
    [Fact]
    public async Task A_run_resumed_from_a_cut_taken_inside_a_handler_footprint_gives_the_straight_runs_digest()
    {
        var straight = Engine.Kernel.SequentialKernel.Run(Build(replicate: false));
        var model = Build(replicate: false);
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var processors = model.Components.OfType<ProcessorComponent>().ToList();
        bool found = false;
        for (long events = 0; loop.RunUntil(long.MaxValue, 1) == 1; events++)
        {
            if (events > 5_000 && processors.Any(p => p.Supervisor is MonitorSupervisor { FootprintLines: > 0 }))
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "some processor has handler lines to go at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = Build(replicate: false);
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, Engine.Kernel.SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = Build(replicate: false);
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }

    [Theory]
    [InlineData(true, 1, 1)]
    [InlineData(false, 2, 2)]
    [InlineData(true, 4, 1)]
    public void The_monitor_pages_are_the_footprints_and_no_guest_ever_gets_one(bool replicate, int vms, int perVm)
    {
        var model = Build(replicate, vms, perVm);
        var r = Engine.Kernel.SequentialKernel.Run(model);
        var memory = GuestMachine.Supervisors(model).OfType<MonitorSupervisor>().First().Memory;
        Assert.Equal(r.Counter("footprint.machine.monitor"), memory.Pages());
        var machine = FourNodes;
        var allocator = model.Components.OfType<PageManagerComponent>().Single().Pages.Allocator;
        for (long page = 0; page < allocator.MachinePages; page++)
        {
            Assert.False(memory.IsMonitorPage(page, machine.PagesPerNode) && allocator.InUse(page), $"machine page {page} is the monitor's and a guest's");
        }

        Assert.Equal(replicate ? 4 : 1, Enumerable.Range(0, 4).Select(memory.CodeAddress).Distinct().Count());
    }

    [Fact]
    public void A_node_allocator_never_hands_out_the_pages_the_monitor_keeps()
    {
        var allocator = new NodeAllocator(nodes: 2, pagesPerNode: 16, colors: 4, reservedPerNode: [4, 2]);
        var pages = Enumerable.Range(0, 26).Select(i => allocator.Allocate(node: 0, guestPage: 15 - (i % 16), kind: 1)).ToList();
        Assert.Equal(26, pages.Distinct().Count());
        Assert.DoesNotContain(pages, p => p is >= 12 and < 16 or >= 30);
        Assert.Throws<Engine.Configuration.BadInputException>(() => allocator.Allocate(node: 1, guestPage: 0, kind: 1));
    }

    [Fact]
    public void A_handler_costs_its_instructions_at_one_cycle_each()
    {
        var m = new MonitorParams { CycleTimePs = 2_500 };
        Assert.Equal(40, m.Instructions(MonitorHandler.Trap));
        Assert.Equal(800, m.Instructions(MonitorHandler.VcpuSwitch));
        Assert.Equal(m.TrapPs, m.HandlerPs(MonitorHandler.Trap));
        Assert.Equal(0, m.TextOffset(MonitorHandler.Trap));
        Assert.Equal(MonitorParams.TextAlignBytes * 2, m.TextOffset(MonitorHandler.Reflect));
        Assert.Contains(new MonitorParams { CodeBytes = 1024 }.Problems(), p => p.Key == "memory.code-kb");
    }
}
