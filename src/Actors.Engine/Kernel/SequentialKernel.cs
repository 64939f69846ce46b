using System.Diagnostics;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Kernel;

/// <summary>
/// All components on one thread and one priority queue: the correctness oracle of the actor engine (equal digests)
/// and its speed reference.
/// </summary>
public static class SequentialKernel
{
    public const string EngineName = "sequential";

    // Progress, stop requests and wall-clock checkpoints are looked at every this many events: often enough, never per event.
    private const long SliceEvents = 1 << 16;

    /// <summary>
    /// Runs the model to its end. With <paramref name="resume"/>, the model's components must already hold the
    /// checkpoint's state (<see cref="CheckpointImage.LoadInto"/>); the image's pending events are the queue.
    /// </summary>
    public static RunResult Run(SimulationModel model, RunControl? control = null, CheckpointImage? resume = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        control ??= RunControl.None;
        var loop = new EventLoop(model, Placement.Single(model), 0) { Trace = control.Trace?.ForLoop() };
        if (resume is null)
        {
            loop.StartComponents();
        }
        else
        {
            foreach (var e in resume.Events)
            {
                loop.Restore(in e);
            }
        }

        return Continue(model, loop, control, resume?.HandledBefore ?? 0);
    }

    private static RunResult Continue(SimulationModel model, EventLoop loop, RunControl control, long eventsBefore)
    {
        long endPs = model.End.Ps;
        var policy = control.Checkpoints;
        long epoch = policy?.FirstEpoch ?? 1;
        long nextCheckpointPs = policy?.NextCadencePs(policy.StartPs) ?? long.MaxValue;
        var metrics = control.Metrics;
        long nextSamplePs = metrics?.NextPs(metrics.StartPs) ?? long.MaxValue;
        var wall = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        var lastCheckpoint = TimeSpan.Zero;
        long events = 0;
        bool stopped = false;
        while (loop.NextEventPs < endPs)
        {
            if (control.Stop.IsCancellationRequested)
            {
                stopped = true;
                if (policy is not null)
                {
                    Checkpoint(policy, epoch++, loop, Math.Min(loop.NextEventPs, endPs));
                }

                break;
            }

            if (metrics is not null && loop.NextEventPs >= nextSamplePs)
            {
                metrics.Sample(nextSamplePs, [.. loop.Components.Select(c => StatsCollector.Report(c, metrics.StateHashes))]);
                nextSamplePs = metrics.NextPs(nextSamplePs);
                continue;
            }

            if (policy is not null && (loop.NextEventPs >= nextCheckpointPs || (policy.WallEvery is { } w && wall.Elapsed - lastCheckpoint >= w)))
            {
                long boundary = loop.NextEventPs >= nextCheckpointPs ? nextCheckpointPs : loop.NextEventPs;
                Checkpoint(policy, epoch++, loop, boundary);
                nextCheckpointPs = policy.NextCadencePs(boundary);
                lastCheckpoint = wall.Elapsed;
                continue;
            }

            events += loop.RunUntil(Math.Min(Math.Min(endPs, nextCheckpointPs), nextSamplePs), SliceEvents);
            if (control.Progress is { } progress && wall.Elapsed - lastProgress >= control.ProgressInterval)
            {
                lastProgress = wall.Elapsed;
                progress(new RunProgress(loop.LastHandledPs, endPs, events, wall.Elapsed.TotalSeconds));
            }
        }

        double wallSeconds = wall.Elapsed.TotalSeconds;
        long simTime = stopped ? Math.Min(loop.NextEventPs, endPs) : loop.NextEventPs == long.MaxValue ? loop.LastHandledPs : endPs;
        return new RunResult(EngineName, simTime, wallSeconds, 1, 1, [.. loop.Components.Select(StatsCollector.Report)], stopped, eventsBefore);
    }

    private static void Checkpoint(CheckpointPolicy policy, long epoch, EventLoop loop, long boundaryPs)
    {
        long handled = loop.Components.Sum(c => c.HandledCount);
        var capture = Stopwatch.StartNew();
        byte[] image = CheckpointImage.EncodePartition(loop);
        // The kernel waits for the store: the checkpoint is a pause outside simulated time, not a simulated event.
        var completed = policy.Save(new CheckpointCapture(epoch, boundaryPs, handled, [image], capture.Elapsed.TotalSeconds)).GetAwaiter().GetResult();
        policy.Saved?.Invoke(completed);
    }
}
