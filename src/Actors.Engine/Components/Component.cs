using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Components;

/// <summary>
/// The unit of modelling: plain state plus message handlers. A component never sees Akka, threads or the wall clock;
/// an actor (or the sequential kernel) hosts it. Everything it needs to resume is in its fields.
/// </summary>
public abstract class Component
{
    protected Component(ComponentId id)
    {
        Id = id;
        Random = SimRandom.ForComponent(0, id);
    }

    public ComponentId Id { get; }

    /// <summary>Stable name of the component's kind (statistics are gathered per kind): <c>phold.lp</c>, <c>hw.directory</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Which components belong together when several share a partition actor (e.g. the FLASH node).</summary>
    public virtual int PlacementKey => Id.Value;

    /// <summary>This component's own generator. Draw from nothing else.</summary>
    public SimRandom Random { get; internal set; }

    // Engine-owned state: checkpointed with the component.
    internal long NextSequence { get; set; }

    internal ulong DigestValue { get; set; } = Determinism.Digest.Seed;

    internal long Handled { get; set; }

    /// <summary>Called once at time 0, before any message is handled: schedule the first events.</summary>
    public virtual void Start(IContext context)
    {
    }

    public abstract void Handle(ISimMessage message, IContext context);

    /// <summary>Reports counters at the end of a run. The engine adds <c>events</c> itself.</summary>
    public virtual void ReportStats(IStatsSink sink)
    {
    }

    /// <summary>The digest of everything this component has handled so far.</summary>
    public ulong CurrentDigest => DigestValue;

    public long HandledCount => Handled;

    public override string ToString() => $"{Kind}#{Id.Value}";
}
