using System.Buffers;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Vms;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// VCPUs as components: three VMs on two processors (VMs 0 and 2 share processor 0, so they switch), stepped one
/// event at a time to look at where each VCPU's state is.
/// </summary>
public class VcpuComponentTests
{
    private const int Jobs = 2;

    private static readonly MonitorParams Shared = GuestRuns.Monitor with { Vms = 3, VcpuTimeSlicePs = 200_000_000 };

    private static SimulationModel Build(IReadOnlyList<VcpuMovePlan>? moves = null, MonitorParams? monitor = null, SimTime? end = null) =>
        GuestMachine.Build(GuestRuns.Machine(2), GuestRuns.Guest, GuestRuns.Pmake(jobs: Jobs), monitor ?? Shared, underMonitor: true, end ?? SimTime.Infinity, 3, moves);

    private static EventLoop Start(SimulationModel model)
    {
        var loop = new EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        return loop;
    }

    private static bool Step(EventLoop loop) => loop.RunUntil(long.MaxValue, 1) == 1;

    private static VcpuComponent Component(SimulationModel model, int vcpu) => model.Components.OfType<VcpuComponent>().ElementAt(vcpu);

    private static MonitorSupervisor Monitor(SimulationModel model, int processor) => GuestMachine.Supervisors(model).OfType<MonitorSupervisor>().ElementAt(processor);

    private static ProcessorComponent Processor(SimulationModel model, int processor) => model.Components.OfType<ProcessorComponent>().ElementAt(processor);

    private static IEnumerable<VcpuTransfer> InFlight(EventLoop loop) => loop.Queue.UnorderedItems().Select(e => e.Message).OfType<VcpuTransfer>();

    private static byte[] Bytes(IStateful part)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new StateWriter(buffer);
        part.SaveTo(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Steps until <paramref name="stop"/> holds before the next event; false when the run ended first.</summary>
    private static bool StepUntil(EventLoop loop, Func<bool> stop)
    {
        while (!stop())
        {
            if (!Step(loop))
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void Every_VCPU_state_is_in_exactly_one_place_parked_loaded_or_on_its_way()
    {
        var model = Build();
        var loop = Start(model);
        int parkedSteps = 0, inFlightSteps = 0, lonely = 0;
        do
        {
            for (int i = 0; i < 3; i++)
            {
                int places = (Component(model, i).Parked is { } p && p.Index == i ? 1 : 0)
                    + GuestMachine.Supervisors(model).OfType<MonitorSupervisor>().Count(s => s.Loaded?.Index == i)
                    + InFlight(loop).Count(t => t.State.Index == i);
                Assert.True(places == 1, $"VCPU {i} is in {places} places at {loop.Now}");
            }

            parkedSteps += Component(model, 2).Parked is not null || Component(model, 0).Parked is not null ? 1 : 0;
            inFlightSteps += InFlight(loop).Any() ? 1 : 0;
            if (loop.Queue.Count > 0 && loop.Queue.Peek() is { Message: VcpuFetch or VcpuPark } e && e.Target == Component(model, 1).Id.Value)
            {
                lonely++;
            }
        }
        while (Step(loop));

        Assert.True(parkedSteps > 100 && inFlightSteps > 0, $"the run parked ({parkedSteps} steps) and moved ({inFlightSteps}) VCPU states");
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(GuestMachine.Vcpus(model).Single(v => v.Index == i).Kernel.Finished));
        Assert.Equal(0, lonely); // alone on processor 1: never handed back, no switch message
    }

    [Fact]
    public void A_processor_whose_VCPU_is_parked_holds_none_of_its_state_and_a_loaded_VCPU_is_only_on_its_processor()
    {
        var model = Build();
        var loop = Start(model);
        var p0 = Processor(model, 0);
        Assert.True(StepUntil(loop, () => Component(model, 2).Parked is { Booted: true } v2 && v2.L2Tlb.ValidEntries > 0 && Monitor(model, 0).Loaded?.Index == 0 && loop.Now.Ps > 0));
        var parked = Component(model, 2).Parked!;
        var loaded = Monitor(model, 0).Loaded!;

        byte[] processor = ComponentState.Save(p0);
        byte[] component2 = ComponentState.Save(Component(model, 2));
        byte[] component0 = ComponentState.Save(Component(model, 0));
        parked.Count(VcpuCounter.Traps, 1000);
        parked.L2Tlb.Insert(asid: 7, vpn: 12345, machinePage: 3, writable: false);
        Assert.Equal(processor, ComponentState.Save(p0));
        Assert.NotEqual(component2, ComponentState.Save(Component(model, 2)));

        loaded.Count(VcpuCounter.Traps, 1000);
        Assert.NotEqual(processor, ComponentState.Save(p0));
        Assert.Equal(component0, ComponentState.Save(Component(model, 0)));
    }

    /// <summary>When VCPU 2 first sits parked and idle (its guest waits for the disk) after it has run.</summary>
    private static long ParkedIdleTime()
    {
        var model = Build();
        var loop = Start(model);
        Assert.True(StepUntil(loop, () => Component(model, 2).Parked is { Runnable: false, Booted: true } v && v.L2Tlb.ValidEntries > 0 && !v.Finished));
        return loop.Now.Ps;
    }

    [Fact]
    public void A_VCPU_moved_to_another_processor_keeps_its_second_level_TLB_and_its_pending_interrupts_which_are_delivered_there()
    {
        var moves = new[] { new VcpuMovePlan(ParkedIdleTime() + 1, Vcpu: 2, Processor: 1) };
        var model = Build(moves);
        var loop = Start(model);
        byte[]? parkedTlb = null;
        int parkedTlbEntries = 0;
        VcpuDispatch? dispatch = null;
        var p1 = Processor(model, 1).Id.Value;
        Assert.True(StepUntil(loop, () =>
        {
            var next = loop.Queue.Peek();
            if (next.Message is VcpuPark { State.Index: 2 } park)
            {
                parkedTlb = Bytes(park.State.L2Tlb);
                parkedTlbEntries = park.State.L2Tlb.ValidEntries;
            }

            dispatch = next.Message is VcpuDispatch { State.Index: 2 } d && next.Target == p1 ? d : null;
            return dispatch is not null;
        }));

        var v = dispatch!.State;
        Assert.Equal(1, Component(model, 2).Affinity);
        Assert.True(parkedTlbEntries > 0);
        Assert.Equal(parkedTlb, Bytes(v.L2Tlb)); // nothing touched the virtual TLB on the way
        int pending = v.PendingInterrupts.Count;
        Assert.True(pending > 0, "the disk completion reached the VCPU while it was parked and moving");

        // By value: written and read back through the model's catalog, into a fresh shell of VCPU 2.
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new StateWriter(buffer);
        w.Write(dispatch);
        w.Flush();
        var copy = Assert.IsType<VcpuDispatch>(new StateReader(buffer.WrittenSpan.ToArray(), model.Messages).ReadMessage("dispatch")).State;
        Assert.NotSame(v, copy);
        Assert.Equal(Bytes(v), Bytes(copy));
        Assert.Equal(v.L2Tlb.Translations(), copy.L2Tlb.Translations());
        Assert.Equal(pending, copy.PendingInterrupts.Count);

        long interrupts = v.Counters[(int)VcpuCounter.Interrupts];
        Assert.True(Step(loop));
        Assert.Same(v, Monitor(model, 1).Loaded);
        Assert.Empty(v.PendingInterrupts);
        Assert.Equal(interrupts + pending, v.Counters[(int)VcpuCounter.Interrupts]);
        while (Step(loop))
        {
        }

        Assert.All(GuestMachine.Vcpus(model), x => Assert.True(x.Kernel.Finished));
        Assert.Null(Monitor(model, 0).Loaded is { Index: 2 } ? Monitor(model, 0).Loaded : null);
    }

    [Fact]
    public void A_move_runs_to_the_end_with_the_same_digest_sequential_one_actor_per_component_and_by_node_1_and_2_threads()
    {
        var moves = new[] { new VcpuMovePlan(ParkedIdleTime() + 1, 2, 1), new VcpuMovePlan(3_000_000_000, 1, 0) };
        var runs = EngineMatrix.RunAll(() => Build(moves), partitions: [0, 2], threads: [1, 2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        var r = runs[0].Result;
        Assert.Equal(3 * Jobs, r.Counter("service.exit.count"));
        Assert.Equal(2, r.Counter(VmManagerComponent.KindName, "monitor.vm.vcpu_moves"));
        Assert.Equal(2, r.Counter(VcpuComponent.KindName, "monitor.vcpu.moves"));
        Assert.True(r.Counter(VcpuComponent.KindName, "monitor.vcpu.interrupts_queued") > 0);
        Assert.True(r.Counter(VcpuComponent.KindName, "monitor.vcpu.dispatches") > 0);

        // Every VCPU's figures count under monitor.vcpu wherever its state is at the end.
        Assert.Equal(3, r.Counter(VcpuComponent.KindName, "vm.0.vcpus") + r.Counter(VcpuComponent.KindName, "vm.1.vcpus") + r.Counter(VcpuComponent.KindName, "vm.2.vcpus"));
        Assert.Equal(r.Counter("monitor.traps"), r.Counter(VcpuComponent.KindName, "monitor.traps"));
        Assert.Equal(0, r.Counter(ProcessorComponent.KindName, "monitor.traps"));
    }

    [Theory]
    [InlineData("in flight")]
    [InlineData("parked")]
    public async Task A_run_resumed_from_a_cut_with_a_VCPU_state_in_flight_or_parked_gives_the_straight_runs_digest(string when)
    {
        var straight = SequentialKernel.Run(Build());
        var model = Build();
        var loop = Start(model);
        Assert.True(StepUntil(loop, () => when == "in flight"
            ? InFlight(loop).Any()
            : Component(model, 2).Parked is { Booted: true } && Monitor(model, 0).Loaded is not null && loop.Now.Ps > 1_000_000_000));
        byte[] image = CheckpointImage.EncodePartition(loop);

        var fresh = Build();
        var cut = CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = Build();
        var cut2 = CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await ActorEngine.RunAsync(onActors, new ActorEngineOptions { Partitions = 0, Threads = 2 }, resume: cut2);
        Assert.Equal(straight.DigestHex, resumed.DigestHex);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }

    [Fact]
    public void A_run_that_ends_while_a_VCPU_state_is_on_its_way_still_reports_that_VCPU_under_its_kind()
    {
        var stepping = Build();
        var loop = Start(stepping);
        Assert.True(StepUntil(loop, () => InFlight(loop).Any() && loop.Now.Ps > 1_000_000_000));
        var end = new SimTime(loop.Now.Ps + 1);
        var runs = EngineMatrix.RunAll(() => Build(end: end), partitions: [0, 2], threads: [2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        var r = runs[0].Result;
        Assert.Equal(3, Enumerable.Range(0, 3).Sum(vm => r.Counter(VcpuComponent.KindName, $"vm.{vm}.vcpus")));
        Assert.Equal(r.Counter("monitor.traps"), r.Counter(VcpuComponent.KindName, "monitor.traps"));
        Assert.True(r.Counter(VcpuComponent.KindName, "monitor.traps") > 0);
    }

    [Fact]
    public void A_VM_manager_answers_which_VCPUs_of_its_VM_may_hold_a_mapping_over_a_link()
    {
        var model = GuestMachine.Build(GuestRuns.Machine(2) with { Disks = 2 }, GuestRuns.Guest, GuestRuns.Pmake(), GuestRuns.Monitor with { Vms = 1, VcpusPerVm = 2 }, true, SimTime.Infinity, 3);
        var manager = model.Components.OfType<VmManagerComponent>().Single();
        var pages = model.Components.OfType<Memory.PageManagerComponent>().Single();
        var context = new RecordingContext(manager.Id);
        manager.Handle(new VmVcpusQuery(0, pages.Id, Tag: 42), context);
        var (target, delay, message) = Assert.Single(context.Sent);
        Assert.Equal(pages.Id, target);
        Assert.True(delay.Ps >= model.Links.RequiredDelayPs(manager.Id.Value, pages.Id.Value));
        var answer = Assert.IsType<VmVcpusAnswer>(message);
        Assert.Equal(42, answer.Tag);
        Assert.Equal([0, 1], answer.Vcpus);
        Assert.Equal([0, 1], answer.Processors);
    }

    private sealed class RecordingContext(ComponentId self) : IContext
    {
        public List<(ComponentId Target, SimTime Delay, ISimMessage Message)> Sent { get; } = [];

        public SimTime Now => SimTime.Zero;

        public ComponentId Self => self;

        public void Send(ComponentId target, SimTime delay, ISimMessage message) => Sent.Add((target, delay, message));
    }
}
