using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Time;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Vms;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// TLB shootdowns in SMP VMs: a copy-on-write, a disk transfer into or out of a page and an NFS remap change a
/// mapping the VM's other VCPUs may hold; each gets an inter-processor message and acknowledges before the change
/// takes effect for anyone.
/// </summary>
public class ShootdownTests
{
    /// <summary>A random small SMP configuration: 2-4 processors, VMs of 2-4 VCPUs (two VMs share processors on some seeds), in-place updates of warm files, some synchronous.</summary>
    private static SimulationModel Random(int seed, SimTime? end = null)
    {
        var r = new System.Random(seed);
        int nodes = r.Next(2, 5);
        int perVm = r.Next(2, nodes + 1);
        int vms = r.Next(1, 3);
        var workload = GuestRuns.Pmake(jobs: r.Next(2, 4), instructions: r.Next(10, 30) * 1000L, warm: true) with { WriteInPlace = true, SyncWrites = r.Next(2) == 0 };

        // A small second-level TLB keeps the check after every event cheap, and makes its entries turn over.
        return GuestMachine.Build(GuestRuns.Machine(nodes) with { Disks = 2 }, GuestRuns.Guest, workload,
            GuestRuns.Monitor with { Vms = vms, VcpusPerVm = perVm, CheckInvariants = true, L2TlbEntries = 128 }, true, end ?? SimTime.Infinity, seed);
    }

    private static SimulationModel TwoVmsOnTwoProcessors(SimTime? end = null) =>
        GuestMachine.Build(GuestRuns.Machine(2) with { Disks = 2 }, GuestRuns.Guest, GuestRuns.Pmake(jobs: 4, instructions: 50_000, warm: true) with { WriteInPlace = true, SyncWrites = true },
            GuestRuns.Monitor with { Vms = 2, VcpusPerVm = 2, CheckInvariants = false }, true, end ?? SimTime.Infinity, 5);

    private static EventLoop Start(SimulationModel model)
    {
        var loop = new EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        return loop;
    }

    private static bool Step(EventLoop loop) => loop.RunUntil(long.MaxValue, 1) == 1;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 12; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void No_VCPU_or_processor_ever_translates_through_a_mapping_the_monitor_replaced(int seed)
    {
        var model = Random(seed);
        var loop = Start(model);
        long events = 0;
        for (bool check = ShootdownInvariant.MayChange(model, loop); Step(loop); check = ShootdownInvariant.MayChange(model, loop))
        {
            events++;
            if ((check ? ShootdownInvariant.Violation(model) : null) is { } problem)
            {
                Assert.Fail($"seed {seed}, after event {events} at {loop.Now.Ps} ps: {problem}");
            }
        }

        var manager = model.Components.OfType<PageManagerComponent>().Single();
        Assert.Equal(0, manager.Shootdowns.Count);
        Assert.Null(manager.Pages.Disagreement());
    }

    [Fact]
    public void Shootdowns_happen_in_the_random_runs_and_cost_an_interrupt_on_each_target()
    {
        long shootdowns = 0, ipis = 0, copies = 0;
        foreach (int seed in Enumerable.Range(1, 4))
        {
            var r = SequentialKernel.Run(Random(seed));
            shootdowns += r.Counter("monitor.shootdowns");
            ipis += r.Counter("monitor.shootdown_ipis");
            copies += r.Counter("monitor.copy_on_write");
            Assert.Equal(r.Counter("monitor.shootdown_ipis"), r.Counter("monitor.shootdown_interrupts") + r.Counter(VcpuComponent.KindName, "monitor.vcpu.shootdowns_parked"));
            Assert.Equal(r.Counter("monitor.shootdown_ipis"), r.Counter(VmManagerComponent.KindName, "monitor.vm.shootdowns_routed"));
            Assert.True(r.Counter("monitor.shootdown_wait_ps") >= r.Counter("monitor.shootdowns") * 3_000_000, "a shootdown waits at least the three hops there and back (VM manager, VCPU component, acknowledgement)");
        }

        Assert.True(copies > 0 && shootdowns > 0 && ipis >= shootdowns, $"{copies} copies, {shootdowns} shootdowns, {ipis} IPIs");
    }

    [Fact]
    public void A_VCPU_parked_in_its_component_gets_the_shootdown_applied_there()
    {
        var r = SequentialKernel.Run(TwoVmsOnTwoProcessors());
        Assert.True(r.Counter(VcpuComponent.KindName, "monitor.vcpu.shootdowns_parked") > 0);
        Assert.True(r.Counter("monitor.shootdown_interrupts") > 0);
    }

    [Fact]
    public void A_negative_shootdown_send_cost_is_a_problem_of_its_key() =>
        Assert.Contains(new MonitorParams { ShootdownSendPs = -1 }.Problems(), p => p.Key == "shootdown-send");

    [Fact]
    public void A_uniprocessor_VM_needs_no_shootdown()
    {
        var w = GuestRuns.Pmake(jobs: 2) with { WriteInPlace = true, SyncWrites = true };
        var (r, _) = GuestRuns.Run(w, underMonitor: true, monitor: GuestRuns.Monitor with { Vms = 2 }, machine: GuestRuns.Machine(2) with { Disks = 2 });
        Assert.True(r.Counter("monitor.copy_on_write") > 0);
        Assert.Equal(0, r.Counter("monitor.shootdowns"));
    }

    [Fact]
    public void SMP_runs_with_shootdowns_give_one_digest_on_every_engine() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => TwoVmsOnTwoProcessors(), partitions: [0, 2], threads: [2])));

    [Fact]
    public async Task A_run_resumed_from_a_cut_taken_during_a_shootdown_gives_the_straight_runs_digest()
    {
        var straight = SequentialKernel.Run(TwoVmsOnTwoProcessors());
        var model = TwoVmsOnTwoProcessors();
        var loop = Start(model);
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        bool found = false;
        while (Step(loop))
        {
            if (manager.Shootdowns.Count > 0 && loop.Queue.UnorderedItems().Any(e => e.Message is TlbShootdown or TlbShootdownAck))
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "the run has a shootdown under way at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = TwoVmsOnTwoProcessors();
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = TwoVmsOnTwoProcessors();
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }
}
