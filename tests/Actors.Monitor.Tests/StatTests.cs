using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Path lookups that open nothing (issue 15): a compile's stat, access, readlink and failed opens, issued at the
/// workload's rate per opened file, each a <see cref="KernelService.Stat"/> that runs the lookup part of open's path.
/// </summary>
public class StatTests
{
    private static List<(Syscall Call, long Argument)> Calls(GuestWorkload w, int job)
    {
        var source = new GuestProgramSource(w, seed: 1, job);
        var calls = new List<(Syscall, long)>();
        while (source.TryNext(out var op))
        {
            if (op.Kind == OperationKind.Privileged)
            {
                calls.Add(GuestProgramSource.Decode(op));
            }
        }

        Assert.Equal(source.SyscallCount, calls.Count);
        return calls;
    }

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(1.0, 16)]
    [InlineData(2.36, 37)] // floor(16 x 2.36): the compile's strace rate (docs/calibration/strace)
    public void A_job_makes_its_files_times_the_rate_of_lookups_each_just_before_the_open_of_the_file_it_looks_for(double perOpen, int lookups)
    {
        var w = GuestRuns.Pmake() with { FilesPerJob = 16, DistinctFiles = 40, LookupsPerOpen = perOpen };
        for (int job = 0; job < 3; job++)
        {
            var calls = Calls(w, job);
            Assert.Equal(lookups, calls.Count(c => c.Call == Syscall.Stat));
            Assert.Equal(16, calls.Count(c => c.Call == Syscall.Open));
            for (int i = 0; i < calls.Count; i++)
            {
                if (calls[i].Call == Syscall.Stat)
                {
                    var next = calls.Skip(i + 1).First(c => c.Call != Syscall.Stat);
                    Assert.Equal((Syscall.Open, calls[i].Argument), next);
                }
            }

            // The rest of the job's calls are those of a job without lookups.
            Assert.Equal(Calls(w with { LookupsPerOpen = 0 }, job), calls.Where(c => c.Call != Syscall.Stat));
        }
    }

    [Fact]
    public void A_stat_is_its_own_service_requested_alike_on_bare_hardware_and_under_Disco()
    {
        var w = GuestRuns.Pmake(jobs: 4, warm: true) with { LookupsPerOpen = 2 };
        var bare = GuestRuns.Run(w, underMonitor: false).Result;
        var disco = GuestRuns.Run(w, underMonitor: true).Result;
        long expected = w.Jobs * (long)Math.Floor(w.FilesPerJob * w.LookupsPerOpen);
        Assert.Equal(expected, bare.Counter("service.stat.count"));
        Assert.Equal(expected, disco.Counter("service.stat.count"));
        Assert.True(bare.Counter("service.stat.time_ps") > 0);

        // Lookups add their own service and leave the others' counts as they were.
        var without = GuestRuns.Run(w with { LookupsPerOpen = 0 }, underMonitor: false).Result;
        Assert.Equal(0, without.Counter("service.stat.count"));
        foreach (var s in KernelServices.ModeIndependent.Where(s => s != KernelService.Stat))
        {
            Assert.Equal(without.Counter($"service.{s.Name()}.count"), bare.Counter($"service.{s.Name()}.count"));
        }
    }

    [Fact]
    public void A_stat_costs_the_instructions_of_its_path()
    {
        const int Extra = 2000;
        var w = GuestRuns.Pmake(jobs: 4, warm: true) with { LookupsPerOpen = 2 };
        var paths = (PathCost[])GuestRuns.Guest.Paths.Clone();
        paths[(int)KernelCode.Stat] = paths[(int)KernelCode.Stat] with { Instructions = paths[(int)KernelCode.Stat].Instructions + Extra };
        var shorter = Engine.Kernel.SequentialKernel.Run(GuestRuns.Build(w, underMonitor: false));
        var longer = Engine.Kernel.SequentialKernel.Run(GuestRuns.Build(w, underMonitor: false, guest: GuestRuns.Guest with { Paths = paths }));

        static double AveragePs(Engine.Run.RunResult r) => (double)r.Counter("service.stat.time_ps") / r.Counter("service.stat.count");
        double cycles = (AveragePs(longer) - AveragePs(shorter)) / GuestRuns.Machine().CycleTimePs;

        // One cycle per instruction, plus at most the misses of the extra text (8 KB: 64 lines of 128 bytes).
        Assert.True(cycles >= Extra && cycles < Extra * 3, $"{cycles:F0} more cycles per stat for {Extra} more instructions");
        Assert.Equal(shorter.Counter("service.stat.count"), longer.Counter("service.stat.count"));
    }
}
