namespace Disco.Actors.Engine.Run;

/// <summary>What one component reports at the end of a run: its digest, its event count and its counters.</summary>
public sealed record ComponentReport(int Id, string Kind, int PlacementKey, ulong Digest, long Handled, IReadOnlyDictionary<string, long> Counters);
