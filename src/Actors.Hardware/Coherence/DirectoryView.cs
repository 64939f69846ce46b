namespace Disco.Actors.Hardware.Coherence;

/// <summary>A read-only view of one line's directory entry, for tests and invariant checks.</summary>
public readonly record struct DirectoryView(DirectoryState State, ulong Sharers, int Owner, bool Busy, int Waiting);
