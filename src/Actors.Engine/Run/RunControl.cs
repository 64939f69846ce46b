using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Run;

/// <summary>How the outside world watches and steers a run: progress reports, checkpoints and a stop request.</summary>
public sealed class RunControl
{
    public static RunControl None { get; } = new();

    /// <summary>Called from the engine's thread at most every <see cref="ProgressInterval"/> of wall time.</summary>
    public Action<RunProgress>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Asks the run to stop at the next window boundary. With checkpoints on, it first takes a checkpoint there; the
    /// run then returns its partial result.
    /// </summary>
    public CancellationToken Stop { get; init; }

    /// <summary>Checkpoints to take, or null for none.</summary>
    public CheckpointPolicy? Checkpoints { get; init; }

    /// <summary>Counter samples to take (the time series of metrics.csv), or null for none.</summary>
    public MetricsPolicy? Metrics { get; init; }

    /// <summary>
    /// Records every handled message, or null for none. In-process engines only: a cluster's remote partitions do
    /// not trace. The caller disposes it after the run (which flushes every loop's buffer).
    /// </summary>
    public Tracing.MessageTrace? Trace { get; init; }
}

/// <summary>
/// Samples every component's counters at multiples of <see cref="Interval"/> of simulated time. A sample at time t
/// reflects every event before t and none after: it is taken between windows, like a checkpoint, and never changes
/// the execution.
/// </summary>
public sealed class MetricsPolicy
{
    public required SimTime Interval { get; init; }

    /// <summary>The sampling starts after this time (a resumed run's checkpoint time).</summary>
    public long StartPs { get; init; }

    /// <summary>Also hash each component's state in every sample (<see cref="ComponentReport.StateHash"/>): what the order probe compares.</summary>
    public bool StateHashes { get; init; }

    /// <summary>Receives (sample time, every component's report).</summary>
    public required Action<long, IReadOnlyList<ComponentReport>> Sample { get; init; }

    public long NextPs(long afterPs)
    {
        long k = afterPs / Interval.Ps + 1;
        return k > long.MaxValue / Interval.Ps ? long.MaxValue : k * Interval.Ps;
    }
}

/// <summary>When to take checkpoints and where to put them.</summary>
public sealed class CheckpointPolicy
{
    /// <summary>Every this much simulated time (at multiples of it), or null.</summary>
    public SimTime? Every { get; init; }

    /// <summary>Also every this much wall-clock time (at the next window boundary), or null.</summary>
    public TimeSpan? WallEvery { get; init; }

    /// <summary>Number of the first epoch this run writes (continues after the epochs already in the store).</summary>
    public long FirstEpoch { get; init; } = 1;

    /// <summary>The cadence starts after this time: 0 for a new run, the checkpoint's time for a resumed one.</summary>
    public long StartPs { get; init; }

    /// <summary>Stores an epoch.</summary>
    public required Func<CheckpointCapture, Task<CheckpointCompleted>> Save { get; init; }

    /// <summary>Told of every stored epoch.</summary>
    public Action<CheckpointCompleted>? Saved { get; init; }

    /// <summary>The first multiple of <see cref="Every"/> after <paramref name="timePs"/>.</summary>
    public long NextCadencePs(long timePs)
    {
        if (Every is not { Ps: > 0 } every)
        {
            return long.MaxValue;
        }

        long k = timePs / every.Ps + 1;
        return k > long.MaxValue / every.Ps ? long.MaxValue : k * every.Ps;
    }
}

/// <summary>
/// An epoch as the engine captured it: its number, boundary time, events handled so far, the partitions' images, and
/// how long capturing them took (the run is paused for that long; storing happens after).
/// </summary>
public sealed record CheckpointCapture(long Epoch, long SimTimePs, long Events, IReadOnlyList<byte[]> Images, double CaptureSeconds);

/// <summary>A progress report: where the simulation is, and how fast it gets there.</summary>
public readonly record struct RunProgress(long SimTimePs, long EndPs, long Events, double WallSeconds)
{
    public double EventsPerSecond => WallSeconds > 0 ? Events / WallSeconds : 0;

    public double Fraction => EndPs is <= 0 or long.MaxValue ? 0 : Math.Clamp(SimTimePs / (double)EndPs, 0, 1);
}
