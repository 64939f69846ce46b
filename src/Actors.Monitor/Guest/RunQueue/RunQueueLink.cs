namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// An SMP guest part's tie to its VM's shared run queue: which part it is, of how many, the affinity time, and how
/// to build any part's process when one is read back (<see cref="ProcessShells"/>).
/// </summary>
public sealed record RunQueueLink(int Part, int Parts, long AffinityStealPs, ProcessShells Shells);
