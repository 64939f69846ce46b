using System.Diagnostics;
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

    // Progress and stop requests are looked at every this many events: often enough, never per event.
    private const long SliceEvents = 1 << 16;

    public static RunResult Run(SimulationModel model, RunControl? control = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        control ??= RunControl.None;
        var loop = new EventLoop(model, Placement.Single(model), 0);
        loop.StartComponents();
        return Continue(model, loop, control);
    }

    /// <summary>Runs a loop whose state is already set up (fresh, or restored from a checkpoint) to the model's end.</summary>
    internal static RunResult Continue(SimulationModel model, EventLoop loop, RunControl control)
    {
        long endPs = model.End.Ps;
        var wall = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        long events = 0;
        bool stopped = false;
        while (loop.NextEventPs < endPs)
        {
            if (control.Stop.IsCancellationRequested)
            {
                stopped = true;
                break;
            }

            events += loop.RunUntil(endPs, SliceEvents);
            if (control.Progress is { } progress && wall.Elapsed - lastProgress >= control.ProgressInterval)
            {
                lastProgress = wall.Elapsed;
                progress(new RunProgress(loop.LastHandledPs, endPs, events, wall.Elapsed.TotalSeconds));
            }
        }

        double wallSeconds = wall.Elapsed.TotalSeconds;
        long simTime = stopped ? loop.LastHandledPs : loop.NextEventPs == long.MaxValue ? loop.LastHandledPs : endPs;
        return new RunResult(EngineName, simTime, wallSeconds, 1, 1, [.. loop.Components.Select(StatsCollector.Report)], stopped);
    }
}
