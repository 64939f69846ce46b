using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Tests;

public class VcpuSchedulerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void It_runs_only_runnable_VCPUs_flushes_exactly_when_the_TLB_changes_hands_and_shares_the_processor(int seed)
    {
        var r = new Random(seed);
        const int Vcpus = 4;
        var s = new VcpuScheduler(Vcpus, timeSlicePs: 10);
        var runnable = new bool[Vcpus];
        var ran = new int[Vcpus];
        int tlbOwner = -1;
        for (long t = 0; t < 5000; t++)
        {
            for (int k = 0; k < Vcpus; k++)
            {
                if (r.Next(20) == 0)
                {
                    runnable[k] = !runnable[k];
                }
            }

            var d = s.Schedule(t, k => runnable[k.Value], timeSlice: true);
            if (!s.Current.IsNone)
            {
                Assert.True(runnable[s.Current.Value], "a VCPU with nothing to run is descheduled");
                ran[s.Current.Value]++;
                Assert.Equal(s.Current.Value != tlbOwner, d.FlushTlb);
                tlbOwner = s.Current.Value;
            }
            else
            {
                Assert.All(runnable, Assert.False);
                Assert.False(d.FlushTlb);
            }
        }

        Assert.All(ran, n => Assert.True(n > 500, $"every VCPU got its share ({string.Join(", ", ran)})"));
        Assert.True(s.IdleDeschedules > 0);
    }

    [Fact]
    public void A_lone_VCPU_that_idles_and_wakes_keeps_its_TLB()
    {
        var s = new VcpuScheduler(2, timeSlicePs: 100);
        bool[] runnable = [true, false];
        Assert.True(s.Schedule(0, k => runnable[k.Value], timeSlice: true).FlushTlb); // first run: whatever the TLB held goes
        runnable[0] = false;
        s.Schedule(10, k => runnable[k.Value], timeSlice: false);
        Assert.Equal(VcpuId.None, s.Current);
        runnable[0] = true;
        var d = s.Schedule(20, k => runnable[k.Value], timeSlice: false);
        Assert.True(d.Switched);
        Assert.False(d.FlushTlb);
        Assert.Equal(1, s.Switches);
    }
}
