using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Actors;

/// <summary>
/// The two-level conductor (one actor per component: partitions report to their group, groups to the conductor)
/// decides the same windows as partitions reporting one by one, whatever the groups: one, several of uneven size, or
/// one per partition.
/// </summary>
public sealed class GroupConductorTests
{
    private const int Lps = 48;

    private static readonly PholdParams Small = new(Lps: Lps, Population: 6, End: 100);

    private static SimulationModel Build() => PholdModel.Build(Small, seed: 5);

    private static RunResult Run(int groups, int threads, RunControl? control = null) =>
        ActorEngine.RunAsync(Build(), new ActorEngineOptions { Partitions = 0, Threads = threads, SpinIterations = 200, ConductorGroups = groups }, control).GetAwaiter().GetResult();

    [Theory]
    [InlineData(1, 2)] // one group holds every partition
    [InlineData(5, 2)] // uneven: 9 and 10 partitions
    [InlineData(7, 1)]
    [InlineData(Lps, 2)] // one partition a group
    [InlineData(0, 2)] // the default: 16 groups of 3
    public void One_actor_per_lp_with_groups_gives_the_sequential_digest_and_the_same_windows(int groups, int threads)
    {
        var reference = EngineMatrix.Sequential(Build);
        var grouped = Run(groups, threads);
        Assert.Null(EngineMatrix.Disagreement([("sequential", reference), ($"groups={groups}", grouped)]));

        // Windows are a function of the model, not of who gathers the reports.
        var one = Run(Lps, 1);
        Assert.Equal(one.Stats!.Windows, grouped.Stats!.Windows);
        Assert.Equal(one.Stats.PartitionEvents, grouped.Stats.PartitionEvents);
        Assert.True(grouped.Stats.Messages >= 2 * grouped.Stats.Windows);
    }

    [Fact]
    public void Fewer_groups_send_fewer_messages_and_counts_repeat()
    {
        var two = Run(2, 2);
        var again = Run(2, 1);
        var each = Run(Lps, 2);
        Assert.Equal(two.Stats!.Messages, again.Stats!.Messages);

        // Per woken partition the open and the report stay; the conductor's own two messages per window fall from
        // one per woken partition to one per woken group.
        Assert.True(two.Stats.Messages < each.Stats!.Messages, $"{two.Stats.Messages} with 2 groups, {each.Stats.Messages} with one per partition");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(5, 3)]
    [InlineData(Lps, 2)]
    public async Task Checkpoints_with_groups_resume_to_the_uninterrupted_digest(int groups, int resumeGroups)
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        var saved = new List<CheckpointCompleted>();
        var control = new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(15), Save = h.Store.SaveEpochAsync, Saved = saved.Add } };
        var full = RunIn(h, Build(), groups, control);
        Assert.Equal(reference.Digest, full.Digest);
        Assert.Equal(6, saved.Count);

        foreach (var epoch in saved)
        {
            var model = Build();
            var image = await h.Store.LoadEpochAsync(epoch, model);
            image.LoadInto(model);
            var resumed = RunIn(h, model, resumeGroups, RunControl.None, image);
            Assert.Null(EngineMatrix.Disagreement([("reference", reference), ($"resumed at {epoch.SimTimePs} ps", resumed)]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(Lps)]
    public async Task A_stop_request_with_groups_checkpoints_at_the_next_boundary_and_resumes(int groups)
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        using var stop = new CancellationTokenSource();
        var saved = new List<CheckpointCompleted>();
        long stopAfterPs = SimTime.FromUs(33).Ps;
        var control = new RunControl
        {
            Stop = stop.Token,
            ProgressInterval = TimeSpan.Zero,
            Progress = p =>
            {
                if (p.SimTimePs >= stopAfterPs)
                {
                    stop.Cancel();
                }
            },
            Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(40), Save = h.Store.SaveEpochAsync, Saved = saved.Add },
        };

        var partial = RunIn(h, Build(), groups, control);
        Assert.True(partial.Stopped);
        Assert.True(partial.Events < reference.Events);
        var checkpoint = Assert.Single(saved);
        Assert.InRange(checkpoint.SimTimePs, stopAfterPs, SimTime.FromUs(40).Ps - 1);
        Assert.Equal(partial.Events, checkpoint.Events);

        var model = Build();
        var image = await h.Store.LoadEpochAsync(checkpoint, model);
        image.LoadInto(model);
        Assert.Equal(reference.Digest, RunIn(h, model, groups, RunControl.None, image).Digest);
    }

    [Fact]
    public void Metrics_samples_with_groups_match_the_sequential_kernel()
    {
        var sequential = new List<long>();
        var grouped = new List<long>();
        Engine.Kernel.SequentialKernel.Run(Build(), new RunControl { Metrics = Sampler(sequential) });
        var run = Run(5, 2, new RunControl { Metrics = Sampler(grouped) });
        Assert.Equal(EngineMatrix.Sequential(Build).Digest, run.Digest);
        Assert.NotEmpty(grouped);
        Assert.Equal(sequential, grouped);
    }

    /// <summary>Each sample's time, then per component its events so far: what a sample taken at the wrong cut would get wrong.</summary>
    private static MetricsPolicy Sampler(List<long> into) =>
        new()
        {
            Interval = SimTime.FromUs(10),
            Sample = (t, reports) =>
            {
                into.Add(t);
                into.AddRange(reports.Select(r => r.Handled));
            },
        };

    private static RunResult RunIn(CheckpointHarness h, SimulationModel model, int groups, RunControl control, CheckpointImage? resume = null) =>
        ActorEngine.RunAsync(h.System, model, Placement.OnePerComponent(model), 2, control, resume, groups).GetAwaiter().GetResult();
}
