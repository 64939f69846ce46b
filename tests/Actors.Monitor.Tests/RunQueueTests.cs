using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Time;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// The SMP guest's shared run queue on bare hardware (<c>guest.smp.scheduling</c>): under load imbalance processes
/// move between processors with it and never without it; no process is lost or in two places at once.
/// </summary>
public class RunQueueTests
{
    private const int Jobs = 6;

    private static readonly string[] Shown = ["guest.runqueue.idle_asks", "guest.runqueue.waits", "guest.runqueue.steals", "guest.runqueue.returned", "guest.runqueue.affinity_hits", "guest.runqueue.arrivals", "cpu_time_ps.idle"];

    /// <summary>
    /// Two processors, each starting its own six short jobs two at a time, 100 us time slices: whenever one idles (a disk
    /// read, or its jobs done first) the other often has a process waiting. A short affinity time so that they move.
    /// </summary>
    internal static SimulationModel Build(bool shared, long seed = 1, SimTime? end = null) =>
        GuestMachine.Build(
            GuestRuns.Machine(2) with { Disks = 2 },
            GuestRuns.Guest with { Processors = 2, MemoryBytes = 32L << 20, SharedRunQueue = shared, AffinityStealPs = 20_000_000, TimeSlicePs = 100_000_000 },
            GuestRuns.Pmake(jobs: Jobs, instructions: 300_000, warm: true),
            GuestRuns.Monitor,
            underMonitor: false,
            end ?? SimTime.Infinity,
            seed);

    private static List<GuestKernel> Parts(SimulationModel model) =>
        [.. GuestMachine.Supervisors(model).OfType<NativeSupervisor>().Select(s => s.Kernel)];

    [Fact]
    public void Under_imbalance_a_process_runs_on_another_processor_with_the_shared_queue_and_never_pinned()
    {
        var shared = Engine.Kernel.SequentialKernel.Run(Build(shared: true));
        Assert.True(shared.Counter("guest.process_moves") > 0, string.Join(", ", Shown.Select(n => $"{n} {shared.Counter(n)}")));
        Assert.True(shared.Counter("guest.runqueue.steals") > 0);
        Assert.True(shared.Counter("guest.runqueue.affinity_hits") > 0);
        Assert.Equal(shared.Counter("guest.runqueue.waits"), shared.Counter("guest.runqueue.arrivals"));
        Assert.Equal(shared.Counter("guest.runqueue.waits"), shared.Counter("guest.runqueue.steals") + shared.Counter("guest.runqueue.returned"));
        Assert.Equal(2 * Jobs, shared.Counter("guest.jobs_done"));

        var pinnedModel = Build(shared: false);
        var pinned = Engine.Kernel.SequentialKernel.Run(pinnedModel);
        Assert.Empty(pinnedModel.Components.OfType<RunQueueComponent>());
        Assert.Equal(0, pinned.Counter("guest.process_moves") + pinned.Counter("guest.runqueue.waits"));
        Assert.Equal(2 * Jobs, pinned.Counter("guest.jobs_done"));
    }

    /// <summary>
    /// At every event each live process is in exactly one place: one part's slots (running or waiting there) or a
    /// message on its way (given up, not arrived yet); no two parts hold the same process.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_process_is_in_exactly_one_place_at_every_event(long seed)
    {
        var model = Build(shared: true, seed);
        var loop = new Engine.Kernel.EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        var parts = Parts(model);
        long events = 0, inFlightSeen = 0;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            events++;
            var held = parts.SelectMany(k => k.Processes.Where(p => p.State != GuestProcessState.Exited).Select(p => (p.Home, p.Job))).ToList();
            Assert.Equal(held.Count, held.Distinct().Count());
            var counts = parts.Select(k => k.RunQueueCounts).ToList();
            long inFlight = counts.Sum(c => c.GivenUp - c.Arrived);
            long endsOnTheirWay = counts.Sum(c => c.ExitedAway) - counts.Sum(c => c.JobsReturned);
            long alive = counts.Sum(c => c.JobsStarted - c.JobsDone) - endsOnTheirWay;
            long exiting = parts.Sum(k => k.Processes.Count(p => p.State == GuestProcessState.Exited));
            Assert.True(inFlight >= 0 && endsOnTheirWay >= 0, $"event {events}: {inFlight} processes and {endsOnTheirWay} job ends in flight");
            Assert.Equal(alive, held.Count + exiting + inFlight);
            inFlightSeen += inFlight > 0 ? 1 : 0;
        }

        Assert.True(inFlightSeen > 0, "some process was on its way between parts");
        Assert.All(parts, k => Assert.True(k.Finished));
        Assert.Equal(2 * Jobs, parts.Sum(k => k.JobsDone));
    }

    [Fact]
    public void The_shared_queue_gives_one_digest_on_every_engine_and_layout() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => Build(shared: true), partitions: [0, 2, 3], threads: [2])));

    /// <summary>Cut while a process is on its way between parts, resumed on both engines.</summary>
    [Fact]
    public async Task A_run_resumed_from_a_cut_taken_while_a_process_moves_gives_the_straight_runs_digest()
    {
        var straight = Engine.Kernel.SequentialKernel.Run(Build(shared: true));
        var model = Build(shared: true);
        var loop = new Engine.Kernel.EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        var parts = Parts(model);
        bool found = false;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            if (parts.Sum(k => k.RunQueueCounts.GivenUp - k.RunQueueCounts.Arrived) > 0)
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "a process was on its way at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = Build(shared: true);
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, Engine.Kernel.SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = Build(shared: true);
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }

    // ---- Under Disco: two SMP VMs of two VCPUs on two processors (the VCPUs share them, so they park) ---------------

    private const int DiscoVms = 2;

    internal static SimulationModel BuildDisco(bool shared, long seed = 1, SimTime? end = null) =>
        GuestMachine.Build(
            GuestRuns.Machine(2) with { Disks = 2 },
            GuestRuns.Guest with { MemoryBytes = 32L << 20, SharedRunQueue = shared, AffinityStealPs = 20_000_000, TimeSlicePs = 100_000_000 },
            GuestRuns.Pmake(jobs: Jobs, instructions: 300_000, warm: true),
            GuestRuns.Monitor with { Vms = DiscoVms, VcpusPerVm = 2, CheckInvariants = false },
            underMonitor: true,
            end ?? SimTime.Infinity,
            seed);

    /// <summary>Every VCPU of a model not started yet: the objects stay the same wherever the state goes (one process).</summary>
    private static List<Vcpus.Vcpu> AllVcpus(SimulationModel model) => [.. GuestMachine.Vcpus(model)];

    private static long InFlight(List<Vcpus.Vcpu> vcpus) => vcpus.Sum(v => v.Kernel.RunQueueCounts.GivenUp - v.Kernel.RunQueueCounts.Arrived);

    [Fact]
    public void Under_Disco_with_imbalance_a_process_runs_on_more_than_one_VCPU_with_the_shared_queue_and_never_pinned()
    {
        var model = BuildDisco(shared: true);
        Assert.Equal(DiscoVms, model.Components.OfType<RunQueueComponent>().Count());
        var shared = Engine.Kernel.SequentialKernel.Run(model);
        Assert.True(shared.Counter("guest.process_moves") > 0, string.Join(", ", Shown.Select(n => $"{n} {shared.Counter(n)}")));
        Assert.True(shared.Counter("guest.runqueue.steals") > 0);
        Assert.True(shared.Counter("monitor.vcpu.interrupts_queued") + shared.Counter("monitor.vcpu.interrupts_forwarded") > 0);
        Assert.Equal(shared.Counter("guest.runqueue.waits"), shared.Counter("guest.runqueue.arrivals"));
        Assert.Equal(shared.Counter("guest.runqueue.waits"), shared.Counter("guest.runqueue.steals") + shared.Counter("guest.runqueue.returned"));
        Assert.Equal(DiscoVms * 2 * Jobs, shared.Counter("guest.jobs_done"));

        var pinnedModel = BuildDisco(shared: false);
        var pinned = Engine.Kernel.SequentialKernel.Run(pinnedModel);
        Assert.Empty(pinnedModel.Components.OfType<RunQueueComponent>());
        Assert.Equal(0, pinned.Counter("guest.process_moves") + pinned.Counter("guest.runqueue.waits"));
        Assert.Equal(DiscoVms * 2 * Jobs, pinned.Counter("guest.jobs_done"));
    }

    /// <summary>
    /// Under Disco, at every event each live process is in exactly one place: one VCPU's guest part (loaded, parked or
    /// its state on the way), or a message on its way, queued in a parked VCPU's state among them.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Under_Disco_every_process_is_in_exactly_one_place_at_every_event(long seed)
    {
        var model = BuildDisco(shared: true, seed);
        var vcpus = AllVcpus(model);
        Assert.Equal(DiscoVms * 2, vcpus.Count);
        var loop = new Engine.Kernel.EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        long events = 0, inFlightSeen = 0, queuedSeen = 0;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            events++;
            var held = vcpus.SelectMany(v => v.Kernel.Processes.Where(p => p.State != GuestProcessState.Exited).Select(p => (v.Vm, p.Home, p.Job))).ToList();
            var queued = vcpus.SelectMany(v => v.PendingInterrupts.OfType<ProcessGive>().Select(g => (v.Vm, g.Process.Home, g.Process.Job))).ToList();
            Assert.Equal(held.Count, held.Distinct().Count());
            Assert.Empty(held.Intersect(queued));
            var counts = vcpus.Select(v => v.Kernel.RunQueueCounts).ToList();
            long inFlight = counts.Sum(c => c.GivenUp - c.Arrived);
            long endsOnTheirWay = counts.Sum(c => c.ExitedAway) - counts.Sum(c => c.JobsReturned);
            long alive = counts.Sum(c => c.JobsStarted - c.JobsDone) - endsOnTheirWay;
            long exiting = vcpus.Sum(v => v.Kernel.Processes.Count(p => p.State == GuestProcessState.Exited));
            Assert.True(inFlight >= queued.Count && endsOnTheirWay >= 0, $"event {events}: {inFlight} processes ({queued.Count} queued) and {endsOnTheirWay} job ends in flight");
            Assert.Equal(alive, held.Count + exiting + inFlight);
            inFlightSeen += inFlight > 0 ? 1 : 0;
            queuedSeen += queued.Count;
        }

        Assert.True(inFlightSeen > 0, "some process was on its way between parts");
        Assert.True(queuedSeen > 0, "some process waited in a parked VCPU's state for it to be loaded");
        Assert.All(vcpus, v => Assert.True(v.Kernel.Finished));
        Assert.Equal(DiscoVms * 2 * Jobs, vcpus.Sum(v => v.Kernel.JobsDone));
    }

    [Fact]
    public void Under_Disco_the_shared_queue_gives_one_digest_on_every_engine_and_layout() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => BuildDisco(shared: true), partitions: [0, 2, 3], threads: [2])));

    /// <summary>Under Disco: cut while a process is on its way between VCPUs, resumed on both engines.</summary>
    [Fact]
    public async Task Under_Disco_a_run_resumed_from_a_cut_taken_while_a_process_moves_gives_the_straight_runs_digest()
    {
        var straight = Engine.Kernel.SequentialKernel.Run(BuildDisco(shared: true));
        var model = BuildDisco(shared: true);
        var vcpus = AllVcpus(model);
        var loop = new Engine.Kernel.EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        bool found = false;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            if (InFlight(vcpus) > 0)
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "a process was on its way at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = BuildDisco(shared: true);
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, Engine.Kernel.SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = BuildDisco(shared: true);
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }
}
