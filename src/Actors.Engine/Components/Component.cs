using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Components;

/// <summary>
/// The unit of modelling: plain state plus message handlers. A component never sees Akka, threads or the wall clock;
/// an actor (or the sequential kernel) hosts it. Everything it needs to resume is in its fields.
/// </summary>
public abstract class Component : IStateful
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

    /// <summary>
    /// Reports counters at the end of a run: by default the counters of <see cref="DeclareState"/>. A component with
    /// derived figures overrides this and calls the base first. The engine adds <c>events</c> itself.
    /// </summary>
    public virtual void ReportStats(IStatsSink sink)
    {
        var io = StateIo.Reporting(sink);
        DeclareState(ref io);
    }

    /// <summary>
    /// Lists every field that changes during a run, once, in one fixed order, with its bounds; that one list saves,
    /// loads and reports the component (<see cref="StateIo"/>). Parameters that come from the configuration are not
    /// state: the model is rebuilt from its configuration before state is loaded.
    /// </summary>
    public virtual void DeclareState(ref StateIo io)
    {
    }

    /// <summary>Writes the component's own state; by default what <see cref="DeclareState"/> lists.</summary>
    protected virtual void SaveState(ref StateWriter writer)
    {
        var io = StateIo.Saving(writer);
        DeclareState(ref io);
        writer = io.FinishSaving();
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote, checking every count and range.</summary>
    protected virtual void LoadState(ref StateReader reader)
    {
        var io = StateIo.Loading(reader);
        DeclareState(ref io);
        reader = io.FinishLoading();
    }

    /// <summary>The component's whole checkpoint: engine-owned fields, then its own.</summary>
    internal void Save(ref StateWriter writer)
    {
        writer.Write(NextSequence);
        writer.Write(DigestValue);
        writer.Write(Handled);
        var (s0, s1, s2, s3) = Random.State;
        writer.Write(s0);
        writer.Write(s1);
        writer.Write(s2);
        writer.Write(s3);
        SaveState(ref writer);
    }

    /// <summary>The checkpoint's content without the digest (for <see cref="State.ComponentState.Hash"/>).</summary>
    internal void SaveWithoutDigest(ref StateWriter writer)
    {
        writer.Write(NextSequence);
        writer.Write(Handled);
        var (s0, s1, s2, s3) = Random.State;
        writer.Write(s0);
        writer.Write(s1);
        writer.Write(s2);
        writer.Write(s3);
        SaveState(ref writer);
    }

    internal void Load(ref StateReader reader)
    {
        NextSequence = reader.ReadLong("sequence number", 0, long.MaxValue);
        DigestValue = reader.ReadULong("digest");
        Handled = reader.ReadLong("handled count", 0, long.MaxValue);
        ulong s0 = reader.ReadULong("rng"), s1 = reader.ReadULong("rng"), s2 = reader.ReadULong("rng"), s3 = reader.ReadULong("rng");
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new CorruptStateException($"{this}: random generator state is all zero");
        }

        Random = new SimRandom(s0, s1, s2, s3);
        LoadState(ref reader);
    }

    /// <summary>The digest of everything this component has handled so far.</summary>
    public ulong CurrentDigest => DigestValue;

    public long HandledCount => Handled;

    public override string ToString() => $"{Kind}#{Id.Value}";
}
