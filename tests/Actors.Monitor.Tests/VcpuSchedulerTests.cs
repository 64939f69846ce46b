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
        // The components are played here: a parked VCPU that gets work says so at once; a fetch is answered at once.
        var r = new Random(seed);
        const int Vcpus = 4;
        var s = new VcpuScheduler(timeSlicePs: 10);
        for (int k = 0; k < Vcpus; k++)
        {
            s.Place(k, loaded: k == 0);
        }

        var runnable = new bool[Vcpus];
        var ran = new int[Vcpus];
        int tlbOwner = -1;
        for (long t = 0; t < 5000; t++)
        {
            for (int k = 0; k < Vcpus; k++)
            {
                if (r.Next(20) != 0)
                {
                    continue;
                }

                if (k == s.Loaded)
                {
                    runnable[k] = !runnable[k];
                }
                else if (!runnable[k])
                {
                    // A parked VCPU only wakes (an interrupt); it cannot fall idle without running.
                    runnable[k] = true;
                    s.Ready(k);
                }
            }

            int loaded = s.Loaded;
            var d = s.Schedule(t, loaded >= 0 && runnable[loaded], loadedFinished: false, recall: false, timeSlice: true);
            bool flushed = d.FlushTlb;
            if (d.Park >= 0)
            {
                Assert.Equal(loaded, d.Park);
                Assert.True(d.Fetch >= 0 && d.Fetch != loaded, "a VCPU is handed back only for another");
            }

            if (d.Fetch >= 0)
            {
                Assert.True(runnable[d.Fetch]);
                flushed = s.Arrived(d.Fetch, t);
            }

            if (s.Running)
            {
                Assert.True(runnable[s.Loaded], "a VCPU with nothing to run does not run");
                Assert.Equal(s.Loaded != tlbOwner, flushed);
                ran[s.Loaded]++;
                tlbOwner = s.Loaded;
            }
            else
            {
                Assert.All(Enumerable.Range(0, Vcpus).Where(k => k != s.Loaded), k => Assert.False(runnable[k]));
                Assert.False(flushed);
            }
        }

        Assert.All(ran, n => Assert.True(n > 500, $"every VCPU got its share ({string.Join(", ", ran)})"));
        Assert.True(s.IdleDeschedules > 0);
        Assert.True(s.Handbacks > 0);
    }

    [Fact]
    public void A_lone_VCPU_that_idles_and_wakes_keeps_its_TLB_and_is_never_handed_back()
    {
        var s = new VcpuScheduler(timeSlicePs: 100);
        s.Place(0, loaded: true);
        Assert.True(s.Schedule(0, true, false, false, timeSlice: true).FlushTlb); // first run: whatever the TLB held goes
        Assert.Equal(VcpuDecision.Keep, s.Schedule(10, false, false, false, timeSlice: false));
        Assert.False(s.Running);
        Assert.Equal(0, s.Loaded);
        var d = s.Schedule(20, true, false, false, timeSlice: false);
        Assert.False(d.FlushTlb);
        Assert.True(s.Running);
        Assert.Equal(1, s.Switches);
        Assert.Equal(0, s.Handbacks);
    }

    [Fact]
    public void An_idle_loaded_VCPU_is_handed_back_when_another_is_ready_and_comes_back_with_a_flush()
    {
        var s = new VcpuScheduler(timeSlicePs: 100);
        s.Place(0, loaded: true);
        s.Place(1, loaded: false);
        s.Schedule(0, true, false, false, timeSlice: true);
        s.Schedule(10, false, false, false, timeSlice: false);
        s.Ready(1);
        var d = s.Schedule(20, false, false, false, timeSlice: false);
        Assert.Equal(new VcpuDecision(0, 1, false), d);
        Assert.Equal(1, s.Fetching);
        Assert.False(s.Done(false), "a VCPU is on its way");
        Assert.True(s.Arrived(1, 22));
        Assert.Equal(1, s.TlbOwner);
        s.Ready(0);

        // VCPU 1 runs out its slice: VCPU 0 gets the processor back.
        Assert.Equal(VcpuDecision.Keep, s.Schedule(50, true, false, false, timeSlice: true));
        Assert.Equal(new VcpuDecision(1, 0, false), s.Schedule(122, true, false, false, timeSlice: true));
        Assert.True(s.Arrived(0, 124));
        Assert.Equal(3, s.Switches);
    }

    [Fact]
    public void A_recalled_VCPU_is_handed_back_and_forgotten_and_a_VCPU_that_left_is_not_awaited()
    {
        var s = new VcpuScheduler(timeSlicePs: 100);
        s.Place(0, loaded: true);
        s.Place(1, loaded: false);
        s.Schedule(0, true, false, false, timeSlice: true);
        Assert.Equal(new VcpuDecision(0, -1, false), s.Schedule(5, true, false, recall: true, timeSlice: false));
        Assert.Equal(-1, s.TlbOwner);
        s.Ready(1);
        Assert.Equal(new VcpuDecision(-1, 1, false), s.Schedule(6, false, false, false, timeSlice: false));
        s.Leave(1);
        Assert.Equal(-1, s.Fetching);
        Assert.True(s.Done(false), "VCPU 0 moved away, VCPU 1 left: nothing is left here");
    }
}
