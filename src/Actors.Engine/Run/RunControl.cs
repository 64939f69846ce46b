namespace Disco.Actors.Engine.Run;

/// <summary>How the outside world watches and steers a run: progress reports and a stop request.</summary>
public sealed class RunControl
{
    public static RunControl None { get; } = new();

    /// <summary>Called from the engine's thread at most every <see cref="ProgressInterval"/> of wall time.</summary>
    public Action<RunProgress>? Progress { get; init; }

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Asks the run to stop at the next window boundary (it still returns its partial result).</summary>
    public CancellationToken Stop { get; init; }
}

/// <summary>A progress report: where the simulation is, and how fast it gets there.</summary>
public readonly record struct RunProgress(long SimTimePs, long EndPs, long Events, double WallSeconds)
{
    public double EventsPerSecond => WallSeconds > 0 ? Events / WallSeconds : 0;

    public double Fraction => EndPs is <= 0 or long.MaxValue ? 0 : Math.Clamp(SimTimePs / (double)EndPs, 0, 1);
}
