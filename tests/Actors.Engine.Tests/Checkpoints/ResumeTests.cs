using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Checkpoints;

public class ResumeTests
{
    private static readonly PholdParams Small = new(Lps: 48, Population: 6, End: 100);

    private static Engine.Model.SimulationModel Build() => PholdModel.Build(Small, seed: 5);

    [Theory]
    [InlineData(-1, -1)]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(3, 1)]
    [InlineData(2, 5)]
    [InlineData(-1, 4)]
    [InlineData(4, -1)]
    public async Task Resuming_from_every_epoch_gives_the_uninterrupted_digest(int partitions, int resumePartitions)
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        var saved = new List<CheckpointCompleted>();
        var control = new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(15), Save = h.Store.SaveEpochAsync, Saved = saved.Add } };
        var full = h.Run(Build(), partitions, control);
        Assert.Equal(reference.Digest, full.Digest);
        Assert.Equal(6, saved.Count); // 15, 30, ..., 90 us
        Assert.Equal(Enumerable.Range(1, 6).Select(i => i * SimTime.FromUs(15).Ps), saved.Select(c => c.SimTimePs));

        var journal = await h.Store.ReadJournalAsync();
        Assert.Equal(saved.Select(s => s.Epoch), journal.Completed.Select(c => c.Epoch));
        foreach (var epoch in journal.Completed)
        {
            var resumed = h.Resume(Build, epoch, resumePartitions);
            Assert.True(reference.Digest == resumed.Digest, $"epoch {epoch.Epoch} at {new SimTime(epoch.SimTimePs)}: {resumed.DigestHex} vs {reference.DigestHex}");
            Assert.Equal(reference.Events, resumed.Events);
            Assert.Equal(reference.SimTimePs, resumed.SimTimePs);
            Assert.Null(EngineMatrix.Disagreement([("reference", reference), ("resumed", resumed)]));
        }
    }

    [Fact]
    public async Task A_resumed_run_that_checkpoints_again_can_itself_be_resumed()
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        var first = new List<CheckpointCompleted>();
        h.Run(Build(), 2, new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(30), Save = h.Store.SaveEpochAsync, Saved = first.Add } });

        // Resume from the first epoch, checkpointing again on the way (epochs continue after the existing ones).
        var journal = await h.Store.ReadJournalAsync();
        var second = new List<CheckpointCompleted>();
        var policy = new CheckpointPolicy { Every = SimTime.FromUs(20), Save = h.Store.SaveEpochAsync, Saved = second.Add, FirstEpoch = journal.NextEpoch, StartPs = first[0].SimTimePs };
        var resumed = h.Resume(Build, first[0], 3, new RunControl { Checkpoints = policy });
        Assert.Equal(reference.Digest, resumed.Digest);
        Assert.True(second.Count >= 3);
        Assert.All(second, c => Assert.True(c.Epoch > first.Max(f => f.Epoch)));

        foreach (var epoch in second)
        {
            var again = h.Resume(Build, epoch, -1);
            Assert.Equal(reference.Digest, again.Digest);
            Assert.Equal(reference.Events, again.Events);
        }
    }

    [Fact]
    public async Task A_checkpoint_with_started_but_not_completed_epoch_resumes_from_the_previous_one()
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        int calls = 0;
        // The third save writes its chunks but "crashes" before CheckpointCompleted.
        async Task<CheckpointCompleted> CrashingSave(CheckpointCapture capture)
        {
            if (++calls < 3)
            {
                return await h.Store.SaveEpochAsync(capture);
            }

            await h.Store.AppendAsync(new CheckpointStarted(capture.Epoch));
            throw new IOException("simulated crash while writing the checkpoint");
        }

        var ex = Assert.ThrowsAny<Exception>(() => h.Run(Build(), 2, new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(20), Save = CrashingSave } }));
        Assert.Contains("simulated crash", ex.ToString(), StringComparison.Ordinal);

        var journal = await h.Store.ReadJournalAsync();
        Assert.Equal([1L, 2L], journal.Completed.Select(c => c.Epoch));
        Assert.Equal(4, journal.NextEpoch); // epoch 3 was started: never reused
        var resumed = h.Resume(Build, journal.Completed[^1], 0);
        Assert.Equal(reference.Digest, resumed.Digest);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public async Task A_stop_request_takes_a_checkpoint_at_the_next_boundary_and_the_rest_resumes_from_it(int partitions)
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

        var partial = h.Run(Build(), partitions, control);
        Assert.True(partial.Stopped);
        Assert.True(partial.Events < reference.Events);
        var checkpoint = Assert.Single(saved);
        Assert.InRange(checkpoint.SimTimePs, stopAfterPs, SimTime.FromUs(40).Ps - 1); // not a cadence point: the stop's own
        Assert.Equal(checkpoint.SimTimePs, partial.SimTimePs);
        Assert.Equal(partial.Events, checkpoint.Events);
        var resumed = h.Resume(Build, checkpoint, partitions);
        Assert.Equal(reference.Digest, resumed.Digest);
    }

    [Fact]
    public async Task A_stop_requested_while_a_checkpoint_is_saved_stops_right_after_it()
    {
        await using var h = CheckpointHarness.Create();
        using var stop = new CancellationTokenSource();
        var saved = new List<CheckpointCompleted>();
        var control = new RunControl
        {
            Stop = stop.Token,
            Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(40), Save = h.Store.SaveEpochAsync, Saved = c => { saved.Add(c); stop.Cancel(); } },
        };

        var partial = h.Run(Build(), 2, control);
        Assert.True(partial.Stopped);
        Assert.Equal(SimTime.FromUs(40).Ps, Assert.Single(saved).SimTimePs);
        Assert.Equal(EngineMatrix.Sequential(Build).Digest, h.Resume(Build, saved[0], 2).Digest);
    }

    [Fact]
    public async Task A_checkpoint_of_another_model_is_refused()
    {
        await using var h = CheckpointHarness.Create();
        h.Run(Build(), -1, new RunControl { Checkpoints = h.Policy(SimTime.FromUs(50)) });
        var epoch = (await h.Store.ReadJournalAsync()).Completed[0];
        var other = PholdModel.Build(Small with { Lps = 47 }, 5);
        var ex = await Assert.ThrowsAsync<CorruptStateException>(() => h.Store.LoadEpochAsync(epoch, other));
        Assert.Contains("outside [0, 46]", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>One partition image of the PHOLD model with its first events, and a way to load any image back.</summary>
    private static byte[] Image()
    {
        var model = Build();
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        return CheckpointImage.EncodePartition(loop);
    }

    private static void Load(params byte[][] images) =>
        CheckpointImage.Decode(images.Select(i => new ReadOnlyMemory<byte>(i)), Build()).LoadInto(Build());

    /// <summary>
    /// The one-line error the CLI prints: "what was being read: what is wrong with it", or which component or image
    /// does not fit the model.
    /// </summary>
    private static void AssertNamesTheField(CorruptStateException ex)
    {
        Assert.DoesNotContain('\n', ex.Message);
        Assert.True(
            System.Text.RegularExpressions.Regex.IsMatch(ex.Message, "^([a-z][a-z0-9 ()._-]*: .+|component [0-9]+ .+|partition image .+|checkpoint holds .+)$"),
            $"not a one-line error naming what was read: {ex.Message}");
    }

    [Fact]
    public void A_truncated_image_is_refused_naming_the_field_it_was_reading_at_every_length()
    {
        byte[] image = Image();
        for (int length = 0; length < image.Length; length++)
        {
            var ex = Assert.Throws<CorruptStateException>(() => Load(image[..length]));
            AssertNamesTheField(ex);
        }
    }

    [Fact]
    public void Flipped_bytes_are_refused_with_a_one_line_error_or_load_values_within_their_bounds_never_another_exception()
    {
        // Without a checksum a flipped byte can land on a value that is still in range (a digest, a time): such an
        // image loads, and the bounds checks are what keeps it sane. Every other flip must be refused as corrupt.
        byte[] image = Image();
        var rng = new Random(3);
        int refused = 0;
        const int trials = 300;
        for (int trial = 0; trial < trials; trial++)
        {
            byte[] corrupt = (byte[])image.Clone();
            for (int k = 0; k < 1 + (trial % 5); k++)
            {
                corrupt[rng.Next(corrupt.Length)] = (byte)rng.Next(256);
            }

            var ex = Record.Exception(() => Load(corrupt));
            if (ex is null)
            {
                continue;
            }

            var corruptState = Assert.IsType<CorruptStateException>(ex);
            AssertNamesTheField(corruptState);
            refused++;
        }

        Assert.InRange(refused, trials / 3, trials);
    }

    [Fact]
    public void An_image_of_another_schema_is_refused_naming_both_schemas()
    {
        byte[] image = Image();
        image[0] = (byte)(ModelVersion.Schema + 1); // the schema is the first value, a small positive integer
        var ex = Assert.Throws<CorruptStateException>(() => Load(image));
        Assert.Equal($"partition image of schema {ModelVersion.Schema + 1}, this disco reads schema {ModelVersion.Schema}", ex.Message);
    }

    [Fact]
    public void Trailing_bytes_after_an_image_are_refused()
    {
        byte[] image = [.. Image(), 0];
        var ex = Assert.Throws<CorruptStateException>(() => Load(image));
        Assert.Equal("partition image has unexpected trailing bytes", ex.Message);
    }

    [Fact]
    public void A_component_in_two_images_or_in_none_is_refused()
    {
        byte[] image = Image();
        var twice = Assert.Throws<CorruptStateException>(() => Load(image, image));
        Assert.Equal("component 0 appears twice in the checkpoint", twice.Message);
        var none = Assert.Throws<CorruptStateException>(() => Load());
        Assert.Equal($"checkpoint holds 0 components, the model has {Small.Lps}", none.Message);
    }
}
