using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Run;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Workloads;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Radix (PARAMETERS.md): its threads fault on one shared region at once. On the SMP IRIX-like guest the faults
/// serialize on the region's semaphore; on the library OS under Disco the monitor takes them with no guest path.
/// </summary>
public class RadixTests
{
    private const int WorkingSetPages = 16;

    internal static readonly GuestWorkload Radix = new()
    {
        Kind = "radix",
        Profile = new SyntheticProfile { Instructions = 40_000, CodeBytes = 16 << 10, WorkingSetBytes = WorkingSetPages * 4096, Sequential = 0.5 },
        WarmCache = true,
        TouchWorkingSet = true,
        SharedAddressSpace = true,
    };

    /// <summary>Pages each thread faults in: its I/O buffer (touched first by every guest program) and its working set.</summary>
    private const int FaultsPerThread = GuestProgramSource.BufferPages + WorkingSetPages;

    private static Engine.Model.SimulationModel Irix(int threads) =>
        GuestRuns.Build(Radix, underMonitor: false, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { Processors = threads });

    private static Engine.Model.SimulationModel SplashOs(int threads) =>
        GuestRuns.Build(Radix, underMonitor: true, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { LibraryOs = true }, monitor: GuestRuns.Monitor with { Vms = 1, VcpusPerVm = threads });

    private static double WaitPerAcquisition(RunResult r, string lockName) =>
        r.Counter($"guest.{lockName}.wait_ps") / (double)r.Counter($"guest.{lockName}.acquisitions");

    [Fact]
    public void On_IRIX_every_fault_of_the_threads_takes_the_region_semaphore_and_waits_grow_with_threads()
    {
        var two = Engine.Kernel.SequentialKernel.Run(Irix(2));
        var four = Engine.Kernel.SequentialKernel.Run(Irix(4));
        Assert.Equal(4 * FaultsPerThread, four.Counter("service.demand_zero.count"));
        Assert.Equal(four.Counter("service.demand_zero.count"), four.Counter("guest.region_sem.acquisitions"));

        // The memlock is left to fork, exec and exit (text faults find the program in the cache at boot: none here).
        long structural = four.Counter("service.fork.count") + four.Counter("service.execve.count") + four.Counter("service.exit.count") + four.Counter("service.file_fault.count") + four.Counter("service.quick_fault.count");
        Assert.Equal(structural, four.Counter("hw.lock.acquires"));
        Assert.True(four.Counter("guest.region_sem.contended") > 0);
        // A thread waiting for the semaphore sleeps: its processor, with nothing else to run, idles. The memlock spins.
        Assert.True(GuestRuns.TimePs(four, ExecutionMode.Kernel) >= four.Counter("hw.lock.spin_ps"), "memlock waits are kernel time");
        Assert.True(four.Counter("cpu_time_ps.idle") >= four.Counter("guest.region_sem.wait_ps"), $"idle {four.Counter("cpu_time_ps.idle")} ps, semaphore waits {four.Counter("guest.region_sem.wait_ps")} ps");
        Assert.True(four.Counter("cpu_time_ps.idle") > 0, "semaphore waiters leave their processors idle");

        // Every waiter that slept is woken by the release: one wake-up (an interrupt path of its kernel) each.
        Assert.Equal(four.Counter("guest.region_sem.contended") + four.Counter("disk_requests.issued"), four.Counter("service.interrupt.count"));
        Assert.Equal(0, Engine.Kernel.SequentialKernel.Run(GuestRuns.Build(Radix with { SharedAddressSpace = false }, underMonitor: false, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { Processors = 4 })).Counter("cpu_time_ps.idle"));
        Assert.True(WaitPerAcquisition(four, "region_sem") > WaitPerAcquisition(two, "region_sem"), $"{WaitPerAcquisition(four, "region_sem"):F0} ps per fault on 4 threads vs {WaitPerAcquisition(two, "region_sem"):F0} on 2");
    }

    [Fact]
    public void A_slower_critical_section_makes_every_thread_wait_longer_for_it()
    {
        var paths = (Guest.PathCost[])GuestRuns.Guest.Paths.Clone();
        paths[(int)KernelCode.DemandZero] = paths[(int)KernelCode.DemandZero] with { Instructions = paths[(int)KernelCode.DemandZero].Instructions * 4 };
        var normal = Engine.Kernel.SequentialKernel.Run(Irix(4));
        var slow = Engine.Kernel.SequentialKernel.Run(GuestRuns.Build(Radix, underMonitor: false, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { Processors = 4, Paths = paths }));
        Assert.Equal(normal.Counter("guest.region_sem.acquisitions"), slow.Counter("guest.region_sem.acquisitions"));
        Assert.True(WaitPerAcquisition(slow, "region_sem") > WaitPerAcquisition(normal, "region_sem"), $"{WaitPerAcquisition(slow, "region_sem"):F0} ps vs {WaitPerAcquisition(normal, "region_sem"):F0}");
    }

    [Fact]
    public void Without_a_shared_region_the_same_faults_take_only_the_memlock()
    {
        var r = Engine.Kernel.SequentialKernel.Run(GuestRuns.Build(Radix with { SharedAddressSpace = false }, underMonitor: false, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { Processors = 4 }));
        Assert.Equal(0, r.Counter("guest.region_sem.acquisitions"));
        Assert.True(r.Counter("hw.lock.acquires") >= r.Counter("service.demand_zero.count"));
    }

    [Fact]
    public void On_the_library_OS_the_monitor_takes_every_fault_with_no_guest_path_and_no_lock()
    {
        var irix = Engine.Kernel.SequentialKernel.Run(Irix(4));
        var model = SplashOs(4);
        var splash = Engine.Kernel.SequentialKernel.Run(model);

        // The same threads do the same work and touch the same pages.
        Assert.Equal(GuestRuns.TimePs(irix, ExecutionMode.User), GuestRuns.TimePs(splash, ExecutionMode.User));
        // IRIX's demand-zero faults and its faults on program text (from the cache) are all the monitor's here.
        Assert.Equal(irix.Counter("page_faults"), splash.Counter("monitor.library_os_faults"));
        Assert.Equal(irix.Counter("service.demand_zero.count"), splash.Counter("monitor.zeroed_pages"));
        Assert.Equal(irix.Counter("service.file_fault.count") + irix.Counter("service.quick_fault.count"), splash.Counter("service.file_fault.count"));
        Assert.True(splash.Counter("service.file_fault.count") > 0, "program text is faulted in too");

        // No guest kernel path for a fault, a TLB refill, an exec or a fork; no lock taken.
        Assert.Equal(0, splash.Counter("service.demand_zero.time_ps"));
        foreach (var s in new[] { KernelService.FastTlbRefill, KernelService.SlowTlbRefill, KernelService.Execve, KernelService.Fork })
        {
            Assert.Equal(0, splash.Counter($"service.{s.Name()}.count"));
        }

        Assert.Equal(0, splash.Counter("hw.lock.acquires") + splash.Counter("guest.region_sem.grants"));
        Assert.True(splash.Counter("l2tlb_hits") > 0, "later misses on the same pages come from the second-level TLB");

        // The thread exits are the only traps reflected to the guest.
        Assert.Equal(4, splash.Counter("monitor.reflected_traps"));
        Assert.True(GuestRuns.TimePs(splash, ExecutionMode.Kernel) < GuestRuns.TimePs(irix, ExecutionMode.Kernel));

        var pages = model.Components.OfType<PageManagerComponent>().Single().Pages;
        Assert.Null(pages.Disagreement());
        // Every page the monitor gave out is still mapped, or was released when its thread exited (text is not).
        Assert.True(splash.Counter("monitor.released_pages") > 0);
        Assert.Equal(splash.Counter("monitor.library_os_faults"), splash.Counter("monitor.released_pages") + pages.Pmap(0).Keys.Count(g => g >= GuestRuns.Guest.KernelPages));

        // The threads' text pages are their program's blocks from the disk cache: one machine page for all of them.
        Assert.Contains(pages.Pmap(0).Where(kv => kv.Key >= GuestRuns.Guest.KernelPages).Select(kv => kv.Value), m => pages.IsDiskCachePage(m) && pages.Memmap(m).Count == 4);
    }

    private const int RegionPages = 16;

    /// <summary>Radix with the destination array every thread scatters into: a writable region shared by the threads.</summary>
    private static readonly GuestWorkload Scatter = Radix with
    {
        Profile = Radix.Profile with { SharedBytes = RegionPages * 4096, SharedShare = 0.25, SharedStoreFraction = 0.5, SharedSequential = 0.9 },
    };

    [Fact]
    public void The_threads_scatter_into_the_same_shared_pages_without_faulting_on_them_on_both_OSes()
    {
        var noRegion = Engine.Kernel.SequentialKernel.Run(Irix(4));
        var model = GuestRuns.Build(Scatter, underMonitor: false, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { Processors = 4 });
        var irix = Engine.Kernel.SequentialKernel.Run(model);

        // Mapped at start: no fault on the region, the same faults as without it.
        Assert.Equal(noRegion.Counter("service.demand_zero.count"), irix.Counter("service.demand_zero.count"));
        Assert.Equal(0, irix.Counter("service.file_fault.count") + irix.Counter("service.quick_fault.count") - noRegion.Counter("service.file_fault.count") - noRegion.Counter("service.quick_fault.count"));

        // The threads share the region's pages, so their stores and reads move lines between the processors.
        long Moves(Engine.Run.RunResult r) => r.Counter("hw.processor.forwards") + r.Counter("hw.processor.invalidations");
        Assert.True(Moves(irix) > Moves(noRegion), $"{Moves(irix)} lines moved between caches with the region vs {Moves(noRegion)} without");
        Assert.True(irix.Counter("hw.processor.invalidations") > noRegion.Counter("hw.processor.invalidations"), "lines read by several threads, then written");

        // The region outlives the threads: at the end it is all the process memory left.
        Assert.Equal(0, noRegion.Counter("footprint.guest.process"));
        Assert.Equal(RegionPages, irix.Counter("footprint.guest.process"));

        var splashModel = GuestRuns.Build(Scatter, underMonitor: true, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { LibraryOs = true }, monitor: GuestRuns.Monitor with { Vms = 1, VcpusPerVm = 4 });
        var splash = Engine.Kernel.SequentialKernel.Run(splashModel);
        Assert.Equal(GuestRuns.TimePs(irix, ExecutionMode.User), GuestRuns.TimePs(splash, ExecutionMode.User));
        Assert.Equal(irix.Counter("page_faults"), splash.Counter("monitor.library_os_faults"));
        Assert.Equal(irix.Counter("service.demand_zero.count"), splash.Counter("monitor.zeroed_pages"));
        var pages = splashModel.Components.OfType<PageManagerComponent>().Single().Pages;
        Assert.Null(pages.Disagreement());
        Assert.Equal(splash.Counter("monitor.library_os_faults") + RegionPages, splash.Counter("monitor.released_pages") + pages.Pmap(0).Keys.Count(g => g >= GuestRuns.Guest.KernelPages));
        Assert.True(pages.Pmap(0).Keys.Count(g => g >= GuestRuns.Guest.KernelPages) >= RegionPages, "the region outlives the threads");
    }

    [Fact]
    public void Radix_gives_one_digest_on_every_engine_on_both_OSes()
    {
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => Irix(3), partitions: [0, 2], threads: [2])));
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => SplashOs(3), partitions: [0, 2], threads: [2])));
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => GuestRuns.Build(Scatter, underMonitor: false, machine: GuestRuns.Machine(4), guest: GuestRuns.Guest with { Processors = 3 }), partitions: [2], threads: [2])));
    }

    [Fact]
    public void The_library_OS_runs_only_under_the_monitor_and_has_no_files()
    {
        var bare = Assert.Throws<BadInputException>(() => GuestRuns.Build(Radix, underMonitor: false, guest: GuestRuns.Guest with { LibraryOs = true }));
        Assert.Equal("disco.guest.os", bare.Place);
        var files = Assert.Throws<BadInputException>(() => SplashOsWith(Radix with { FilesPerJob = 1 }));
        Assert.Equal("disco.workload.radix", files.Place);
    }

    private static Engine.Model.SimulationModel SplashOsWith(GuestWorkload w) =>
        GuestRuns.Build(w, underMonitor: true, guest: GuestRuns.Guest with { LibraryOs = true });
}
