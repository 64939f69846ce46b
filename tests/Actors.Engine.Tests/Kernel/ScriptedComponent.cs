using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Tests.Kernel;

/// <summary>A message with a label, for tests that check who handled what, when.</summary>
public sealed record Note(string Label) : ISimMessage
{
    public int Kind => 900;

    public ulong ContentHash() => Determinism.Digest.Of(Label.Length, Label.Length > 0 ? Label[0] : 0);

    public void Write(ref StateWriter writer) => writer.Write(Label);

    public static ISimMessage Read(ref StateReader reader) => new Note(reader.ReadString("label") ?? "");
}

/// <summary>A component whose start and handlers are given by the test; it records what it handled.</summary>
public sealed class ScriptedComponent : Component
{
    private readonly Action<IContext> _start;
    private readonly Action<Note, IContext> _handle;

    public ScriptedComponent(int id, Action<IContext>? start = null, Action<Note, IContext>? handle = null)
        : base(new ComponentId(id))
    {
        _start = start ?? (_ => { });
        _handle = handle ?? ((_, _) => { });
    }

    public override string Kind => "test.scripted";

    public List<(SimTime Time, string Label)> Received { get; } = [];

    public override void Start(IContext context) => _start(context);

    public override void Handle(ISimMessage message, IContext context)
    {
        var note = (Note)message;
        Received.Add((context.Now, note.Label));
        _handle(note, context);
    }

    public override void ReportStats(IStatsSink sink) => sink.Add("received", Received.Count);

    // The scripts are code, not state; what was received is only for the test's eyes.
    protected override void SaveState(ref StateWriter writer) => writer.Write(Received.Count);

    protected override void LoadState(ref StateReader reader) => reader.ReadInt("received");
}
