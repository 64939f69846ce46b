using Disco.Actors.Engine.Determinism;

namespace Disco.Actors.Engine.Run;

/// <summary>
/// The outcome of a run. <see cref="Digest"/> and <see cref="Events"/> identify the execution; the wall-clock and
/// layout fields (<see cref="WallSeconds"/>, <see cref="Engine"/>, <see cref="Partitions"/>, <see cref="Threads"/>)
/// describe how it was obtained and are the only fields allowed to differ between equivalent runs.
/// </summary>
public sealed record RunResult
{
    public RunResult(string engine, long simTimePs, double wallSeconds, int partitions, int threads, IReadOnlyList<ComponentReport> components, bool stopped = false, long eventsBefore = 0)
    {
        ArgumentNullException.ThrowIfNull(components);
        Engine = engine;
        SimTimePs = simTimePs;
        WallSeconds = wallSeconds;
        Partitions = partitions;
        Threads = threads;
        Components = [.. ComponentReport.Settle(components).OrderBy(c => c.Id)];
        Stopped = stopped;
        ulong digest = Determinism.Digest.Seed;
        long events = 0;
        foreach (var c in Components)
        {
            digest = Determinism.Digest.Fold(digest, c.Digest);
            events += c.Handled;
        }

        Digest = digest;
        Events = events;
        EventsBefore = eventsBefore;
    }

    public string Engine { get; }

    public ulong Digest { get; }

    public string DigestHex => Determinism.Digest.ToHex(Digest);

    public long Events { get; }

    /// <summary>The end time if events remained past it, else the time of the last handled event.</summary>
    public long SimTimePs { get; }

    /// <summary>Seconds spent in the event loop, set-up excluded.</summary>
    public double WallSeconds { get; }

    /// <summary>Events handled before this run segment began (a resumed run's checkpoint); 0 for a fresh run.</summary>
    public long EventsBefore { get; }

    /// <summary>Speed of this segment: the events it handled over its wall time.</summary>
    public double EventsPerSecond => WallSeconds > 0 ? (Events - EventsBefore) / WallSeconds : 0;

    public int Partitions { get; }

    public int Threads { get; }

    /// <summary>True when the run was stopped on request before its end.</summary>
    public bool Stopped { get; }

    /// <summary>Per component, ascending id.</summary>
    public IReadOnlyList<ComponentReport> Components { get; }

    /// <summary>The actor engine's windows and per-partition load (null for the sequential kernel).</summary>
    public EngineStats? Stats { get; init; }

    /// <summary>A counter summed over all components (0 if none reports it).</summary>
    public long Counter(string name) => Components.Sum(c => c.Counters.GetValueOrDefault(name));

    /// <summary>A counter summed over the components of one kind.</summary>
    public long Counter(string kind, string name) =>
        Components.Where(c => c.Kind == kind).Sum(c => c.Counters.GetValueOrDefault(name));
}
