using Disco.Actors.Engine.Run;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Tests;

/// <summary>Table 2's split: what a kernel service's time under Disco went to [D Table 2].</summary>
public class ServiceSplitTests
{
    private static long Split(RunResult r, KernelService s, MonitorWork w) => r.Counter($"service.{s.Name()}.split.{w.Name()}");

    private static long Time(RunResult r, KernelService s) => r.Counter($"service.{s.Name()}.time_ps");

    public static TheoryData<int, int> Layouts => new() { { 1, 1 }, { 2, 2 } };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Under_Disco_each_services_split_adds_up_to_its_measured_time(int vms, int vcpusPerVm)
    {
        var (disco, _) = GuestRuns.Run(
            GuestRuns.Pmake(),
            underMonitor: true,
            monitor: GuestRuns.Monitor with { Vms = vms, VcpusPerVm = vcpusPerVm },
            machine: GuestRuns.Machine(vms * vcpusPerVm) with { Disks = vms });
        for (var s = (KernelService)0; (int)s < KernelServices.Count; s++)
        {
            long sum = Enumerable.Range(0, MonitorWorks.Count).Sum(w => Split(disco, s, (MonitorWork)w));
            Assert.True(Time(disco, s) == sum, $"{s.Name()}: time {Time(disco, s)} ps, split adds up to {sum} ps");
        }

        // Each part is where the mechanism puts it: a refill ends in an emulated TLB write, a demand-zero fault asks
        // the monitor to zero the page, a system call's kernel runs its own code.
        Assert.True(Split(disco, KernelService.FastTlbRefill, MonitorWork.TlbWriteEmulation) > 0);
        Assert.True(Split(disco, KernelService.DemandZero, MonitorWork.MonitorCallsAndPageFaults) > Split(disco, KernelService.DemandZero, MonitorWork.TlbWriteEmulation));
        Assert.True(Split(disco, KernelService.Open, MonitorWork.KernelExecution) > Time(disco, KernelService.Open) / 2);
        Assert.True(Split(disco, KernelService.OtherSyscall, MonitorWork.KernelTlbFaults) > 0, "the relocated kernel takes TLB misses of its own");
    }

    [Fact]
    public void The_VMs_time_by_work_is_all_of_its_time()
    {
        var (disco, _) = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: true);
        long byWork = Enumerable.Range(0, MonitorWorks.Count).Sum(w => disco.Counter($"vm.0.monitor_work_ps.{((MonitorWork)w).Name()}"));
        long byBucket = Hardware.Processor.CpuTimeBuckets.Names.Sum(b => disco.Counter($"vm.0.cpu_time_ps.{b}"));
        Assert.Equal(byBucket, byWork);
    }

    [Fact]
    public void Bare_hardware_records_no_split()
    {
        var (bare, _) = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: false);
        Assert.DoesNotContain(bare.Components.SelectMany(c => c.Counters.Keys), k => k.Contains(".split.", StringComparison.Ordinal));
    }
}
