namespace Disco.Actors.Engine.Tracing;

/// <summary>One handled message of a trace (see <see cref="MessageTraceBuffer"/> for the fields).</summary>
public readonly record struct TraceRecord(long TimePs, int Sender, long Sequence, int Target, int Kind, long TargetSequenceBefore);
