using Xunit.Abstractions;

namespace Disco.Actors.Monitor.Tests;

public class DebugTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Debug_run(bool monitor)
    {
        var (r, m) = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: monitor);
        var k = GuestRuns.Kernel(m);
        output.WriteLine($"t={r.SimTimePs} done={k.JobsDone} finished={k.Finished} inkernel={k.InKernel} current={k.CurrentProcess?.Job}");
        foreach (var name in new[] { "cpu_time_ps.user", "cpu_time_ps.kernel", "cpu_time_ps.monitor", "cpu_time_ps.idle", "cpu_time_ps.stall", "tlb_misses", "l2tlb_hits", "monitor.traps", "monitor.kernel_segment_fills", "monitor.pmap_waits" })
        {
            output.WriteLine($"{name} = {r.Counter(name)}");
        }

        foreach (var s in Enum.GetValues<Guest.KernelService>())
        {
            output.WriteLine($"{s}: {k.ServiceCount(s)} {k.ServiceTimePs(s) / 1000} ns");
        }
    }
}
