namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// An SMP guest part's tie to its VM's shared run queue: which part it is, of how many, the affinity time, and how
/// to build any part's process when one is read back (<see cref="ProcessShells"/>), and under Disco the VCPU it runs on
/// (-1 on bare hardware).
/// </summary>
public sealed record RunQueueLink(int Part, int Parts, long AffinityStealPs, ProcessShells Shells, int Vcpu = -1);

/// <summary>
/// A part's run-queue traffic: processes it gave up and got, processes of other parts that exited here and its own
/// jobs whose end came back from elsewhere, its jobs started and done.
/// </summary>
public readonly record struct RunQueueCounts(long GivenUp, long Arrived, long ExitedAway, long JobsReturned, int JobsStarted, int JobsDone);
