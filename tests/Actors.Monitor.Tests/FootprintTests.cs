using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Footprints by one rule (issue 15, item 4): guest (V) and machine (M) count the pages holding data at the instant,
/// kernel text and data once touched; the guest tells the monitor the pages a process frees, and the monitor
/// releases their machine pages. With one VM and nothing shared, V = M.
/// </summary>
public class FootprintTests
{
    private static SimulationModel OneVm(SimTime? end = null) =>
        GuestMachine.Build(GuestRuns.Machine(), GuestRuns.Guest, GuestRuns.Pmake(jobs: 6, instructions: 50_000), GuestRuns.Monitor, true, end ?? SimTime.Infinity, 3);

    private static long[] Split(RunResult r, string side, bool peak) =>
        [.. GuestKernel.FootprintKinds.Select(k => r.Counter($"footprint.{side}.{(peak ? "peak." : "")}{k}"))];

    [Fact]
    public void One_VM_with_nothing_shared_has_the_same_guest_and_machine_footprint_at_the_end_and_at_the_peak()
    {
        var r = SequentialKernel.Run(OneVm());
        Assert.Equal(6, r.Counter("service.exit.count"));
        Assert.True(r.Counter("monitor.released_pages") > 0, "exited processes gave pages back to the monitor");
        Assert.Equal(Split(r, "guest", peak: false), Split(r, "machine", peak: false));
        Assert.Equal(Split(r, "guest", peak: true), Split(r, "machine", peak: true));

        // Every job is gone: no process page is left on either side, and the peak held some.
        Assert.Equal(0, r.Counter("footprint.machine.process"));
        Assert.True(r.Counter("footprint.machine.peak.process") > 0);

        // Kernel pages count once touched: a short run touches only part of the kernel.
        Assert.InRange(r.Counter("footprint.guest.kernel_text"), 1, GuestRuns.Guest.KernelTextPages - 1);
        Assert.InRange(r.Counter("footprint.guest.kernel_data"), 1, GuestRuns.Guest.KernelDataPages - 1);
    }

    [Fact]
    public void On_bare_hardware_the_machine_footprint_is_the_guests_by_the_same_rule()
    {
        var (r, _) = GuestRuns.Run(GuestRuns.Pmake(jobs: 6, instructions: 50_000), underMonitor: false, seed: 3);
        Assert.Equal(Split(r, "guest", peak: false), Split(r, "machine", peak: false));
        Assert.Equal(Split(r, "guest", peak: true), Split(r, "machine", peak: true));
        Assert.True(Split(r, "guest", peak: true).Sum() > Split(r, "guest", peak: false).Sum());
    }

    [Fact]
    public void A_released_page_is_free_and_no_VCPU_or_processor_keeps_a_translation_to_it()
    {
        // One VM of two VCPUs: a release shoots the other VCPU's entries down; the invariant holds after every event.
        var model = GuestMachine.Build(GuestRuns.Machine(2), GuestRuns.Guest, GuestRuns.Pmake(jobs: 4, instructions: 30_000),
            GuestRuns.Monitor with { VcpusPerVm = 2, L2TlbEntries = 128 }, true, SimTime.Infinity, 2);
        var loop = new EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        long released = 0;
        for (bool check = ShootdownInvariant.MayChange(model, loop); loop.RunUntil(long.MaxValue, 1) == 1; check = ShootdownInvariant.MayChange(model, loop))
        {
            if ((check ? ShootdownInvariant.Violation(model) : null) is { } problem)
            {
                Assert.Fail($"at {loop.Now.Ps} ps: {problem}");
            }

            released = Math.Max(released, manager.Pages.Pmap(0).Count);
        }

        Assert.Null(manager.Pages.Disagreement());
        Assert.Equal(0, manager.Shootdowns.Count);

        // The machine pages in use are exactly those a pmap maps or the disk cache holds: a released page went back.
        var mapped = manager.Pages.Pmap(0).Values.ToHashSet();
        Assert.Equal(manager.Pages.MachinePagesInUse, mapped.Count + manager.Pages.Cache.HeldPages.Count(p => !mapped.Contains(p)));
        Assert.True(manager.Pages.MachinePagesInUse < released, $"{manager.Pages.MachinePagesInUse} machine pages at the end, {released} mapped at most");
    }

    [Fact]
    public void A_run_with_releases_gives_one_digest_on_every_engine_and_after_a_resume()
    {
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => OneVm(), partitions: [0, 2], threads: [2])));

        var straight = SequentialKernel.Run(OneVm());
        var model = OneVm();
        var loop = new EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        bool found = false;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            if (loop.Queue.UnorderedItems().Any(e => e.Message is PageRelease))
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "the run has a release on its way at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);
        var fresh = OneVm();
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, SequentialKernel.Run(fresh, null, cut).DigestHex);
    }
}
