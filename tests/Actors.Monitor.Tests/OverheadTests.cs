using Disco.Actors.Engine.Run;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Tests;

/// <summary>The virtualization-overhead experiment on a small pmake: what Disco costs and where the time goes.</summary>
public class OverheadTests
{
    private static readonly Lazy<(RunResult Bare, RunResult Disco)> Pair = new(() =>
        (GuestRuns.Run(GuestRuns.Pmake(), underMonitor: false).Result, GuestRuns.Run(GuestRuns.Pmake(), underMonitor: true).Result));

    private static long Count(RunResult r, KernelService s) => r.Counter($"service.{s.Name()}.count");

    private static double AverageNs(RunResult r, KernelService s) => r.Counter($"service.{s.Name()}.time_ps") / 1000.0 / Count(r, s);

    [Fact]
    public void Monitor_time_and_second_level_TLB_hits_appear_only_under_Disco()
    {
        var (bare, disco) = Pair.Value;
        Assert.Equal(0, GuestRuns.TimePs(bare, ExecutionMode.Monitor));
        Assert.Equal(0, bare.Counter("l2tlb_hits"));
        Assert.True(GuestRuns.TimePs(disco, ExecutionMode.Monitor) > 0);
        Assert.True(disco.Counter("l2tlb_hits") > 0);
        Assert.Equal(GuestRuns.TimePs(bare, ExecutionMode.User), GuestRuns.TimePs(disco, ExecutionMode.User));
        Assert.True(disco.SimTimePs > bare.SimTimePs, "the same work takes longer under the monitor");
    }

    [Fact]
    public void The_guest_requests_the_same_services_in_both_modes_apart_from_TLB_refills()
    {
        var (bare, disco) = Pair.Value;
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.True(Count(bare, s) > 0, $"{s} was exercised");
            Assert.Equal(Count(bare, s), Count(disco, s));
        }

        // The workload fixes them: 4 jobs, 3 files of 2 pages each (a lookup, open + 2 reads), 8 KB of output (2 writes).
        Assert.Equal(4, Count(bare, KernelService.Execve));
        Assert.Equal(4 * 3, Count(bare, KernelService.Stat));
        Assert.Equal(4, Count(bare, KernelService.Exit));
        Assert.Equal(4 * 3, Count(bare, KernelService.Open));
        Assert.Equal(4 * 3 * 2, Count(bare, KernelService.Read));
        Assert.Equal(4 * 2, Count(bare, KernelService.Write));
        Assert.Equal(bare.Counter("page_faults"), disco.Counter("page_faults"));
    }

    [Theory]
    [InlineData(KernelService.DemandZero)]
    [InlineData(KernelService.FastTlbRefill)]
    [InlineData(KernelService.FileFault)]
    [InlineData(KernelService.QuickFault)]
    [InlineData(KernelService.Open)]
    [InlineData(KernelService.Read)]
    [InlineData(KernelService.Write)]
    [InlineData(KernelService.Execve)]
    [InlineData(KernelService.OtherSyscall)]
    public void Each_kernel_service_costs_more_under_Disco(KernelService service)
    {
        var (bare, disco) = Pair.Value;
        Assert.True(AverageNs(disco, service) > AverageNs(bare, service), $"{service}: {AverageNs(disco, service):F0} ns under Disco vs {AverageNs(bare, service):F0} ns bare");
    }

    [Fact]
    public void A_slow_refill_costs_more_under_Disco()
    {
        // Slow refills need page-table pages the TLB has lost: a large working set of one process.
        var w = GuestRuns.Pmake(jobs: 1, instructions: 300_000) with { Parallelism = 1, Profile = new() { Instructions = 300_000, CodeBytes = 64 << 10, WorkingSetBytes = 4 << 20, HotShare = 0.2 } };
        var bare = GuestRuns.Run(w, underMonitor: false).Result;
        var disco = GuestRuns.Run(w, underMonitor: true).Result;
        Assert.True(Count(bare, KernelService.SlowTlbRefill) > 0 && Count(disco, KernelService.SlowTlbRefill) > 0);
        Assert.True(AverageNs(disco, KernelService.SlowTlbRefill) > AverageNs(bare, KernelService.SlowTlbRefill));

        // ...and Disco has fewer of them: the second-level TLB refills most page-table pages without the guest.
        Assert.True(Count(disco, KernelService.SlowTlbRefill) < Count(bare, KernelService.SlowTlbRefill));
    }

    /// <summary>
    /// Why each service costs more: make one monitor cost dearer by Δ and nothing else. One job at a time with a
    /// warm cache, so the guest does the same work and only the times move; each service's extra time per call,
    /// over Δ, counts the traps of that kind it takes. (Not exactly an integer: the TLB's "random" replacement
    /// follows the clock, so a few nested misses move between services; a small second-level TLB makes the guest
    /// refill often enough to measure.)
    /// </summary>
    [Theory]
    // Emulated privileged instructions: exception entry (5) and exit (3) on every service path; a page fault
    // adds its TLB write, a demand-zero fault its zeroed-page monitor call; execve and exit flush their ASID, and
    // exit tells the monitor its pages are free (a monitor call).
    // The UTLB refill emulates only its TLB write and its return from exception.
    [InlineData("emulate", KernelService.DemandZero, 10)]
    [InlineData("emulate", KernelService.QuickFault, 9)]
    [InlineData("emulate", KernelService.FastTlbRefill, 2)]
    [InlineData("emulate", KernelService.Open, 8)]
    [InlineData("emulate", KernelService.Read, 8)]
    [InlineData("emulate", KernelService.Write, 8)]
    [InlineData("emulate", KernelService.Execve, 9)]
    [InlineData("emulate", KernelService.Exit, 10)]
    [InlineData("emulate", KernelService.OtherSyscall, 8)]
    [InlineData("emulate", KernelService.Stat, 8)]
    // Reflected traps: system calls and TLB misses enter the guest through the monitor; execve and fork do not
    // (they start when the scheduler first runs the new process).
    [InlineData("reflect", KernelService.DemandZero, 1)]
    [InlineData("reflect", KernelService.FastTlbRefill, 1)]
    [InlineData("reflect", KernelService.Open, 1)]
    [InlineData("reflect", KernelService.Write, 1)]
    [InlineData("reflect", KernelService.Stat, 1)]
    [InlineData("reflect", KernelService.Exit, 1)]
    [InlineData("reflect", KernelService.Execve, 0)]
    [InlineData("reflect", KernelService.Fork, 0)]
    // Only the TLB writes are dearer: one per page fault and per refill, none for a system call.
    [InlineData("tlb-write", KernelService.DemandZero, 1)]
    [InlineData("tlb-write", KernelService.FastTlbRefill, 1)]
    [InlineData("tlb-write", KernelService.Read, 0)]
    public void The_extra_cost_of_a_service_is_the_traps_it_takes(string cost, KernelService service, long traps)
    {
        const long Delta = 1_000_000; // 1 us
        var w = GuestRuns.Pmake(jobs: 4, warm: true) with { Parallelism = 1 };
        // Without the monitor's code and data in memory, its handlers touch no lines: a dearer handler is a longer
        // one whose extra lines would miss as well, and any shift in time moves the misses of the others' lines
        // (MonitorFootprintTests covers those); here only the instructions' cycles move.
        var m = GuestRuns.Monitor with { L2TlbEntries = 16, CodeBytes = 0, PmapEntryBytes = 0, MemmapEntryBytes = 0, L2TlbEntryBytes = 0, VcpuStateBytes = 0 };
        var dearer = cost switch
        {
            "emulate" => m with { EmulatePrivilegedPs = m.EmulatePrivilegedPs + Delta },
            "reflect" => m with { ReflectPs = m.ReflectPs + Delta },
            "tlb-write" => m with { EmulateTlbWritePs = m.EmulateTlbWritePs + Delta },
            _ => throw new ArgumentOutOfRangeException(nameof(cost), cost, "not a monitor cost this test knows: emulate, reflect or tlb-write"),
        };
        var a = GuestRuns.Run(w, underMonitor: true, monitor: m).Result;
        var b = GuestRuns.Run(w, underMonitor: true, monitor: dearer).Result;
        Assert.True(Count(a, service) > 0 && Count(b, service) > 0);
        if (KernelServices.ModeIndependent.Contains(service))
        {
            Assert.Equal(Count(a, service), Count(b, service));
        }

        double extra = (AverageNs(b, service) - AverageNs(a, service)) * 1000;
        Assert.True(Math.Abs((extra / Delta) - traps) < 0.25, $"{service}: {extra / Delta:F3} extra {cost} traps per call, expected {traps}");
    }

    [Fact]
    public void Under_Disco_the_relocated_kernel_takes_TLB_misses_that_bare_IRIX_does_not()
    {
        var (bare, disco) = Pair.Value;
        Assert.Equal(0, bare.Counter("monitor.kernel_segment_fills"));
        Assert.True(disco.Counter("monitor.kernel_segment_fills") > 0);
        Assert.True(disco.Counter("monitor.zeroed_pages") == Count(disco, KernelService.DemandZero), "the monitor zeroes every demand-zero page");
    }
}
