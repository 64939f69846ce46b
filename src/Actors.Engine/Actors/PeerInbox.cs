using System.Collections.Concurrent;
using System.Diagnostics;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// A partition's inbox for the window reports of peers hosted in the same process (peer windows).
/// <para>
/// Why: on the machine model a window is about 10 events, 6 µs of work per partition, and handing a report to a peer
/// through its mailbox (enqueue, schedule the mailbox on the executor, a thread picks it up) cost about as much
/// again. A partition that has reported and waits for its peers' reports now polls this queue for a while instead of
/// leaving its receive, and a peer that finds it polling (or running) only enqueues: no mailbox, no thread handoff.
/// Nothing else changes: the reports, their order of application and the windows are the same, so are digests.
/// </para>
/// <para>
/// The handshake that loses no report: a sender enqueues, then reads the owner's state; the owner marks itself
/// idle, then looks at the queue once more. Both steps are full fences, so either the owner sees the report or the
/// sender sees the owner idle and pokes it through its mailbox (<see cref="PeerInboxPoke"/>); both may happen, and a
/// poke that finds the queue empty does nothing.
/// </para>
/// </summary>
internal sealed class PeerInbox
{
    private const int Idle = 0;
    private const int Active = 1;

    private readonly ConcurrentQueue<WindowDone> _reports = new();
    private int _state;

    /// <summary>True when the owner is idle and must be poked through its mailbox.</summary>
    public bool Post(WindowDone report)
    {
        _reports.Enqueue(report);
        return Volatile.Read(ref _state) == Idle;
    }

    /// <summary>The owner is in its receive and will look at the queue before it leaves.</summary>
    public void Enter() => Volatile.Write(ref _state, Active);

    public bool TryTake(out WindowDone report) => _reports.TryDequeue(out report!);

    /// <summary>Marks the owner idle; false (and active again) when a report came in meanwhile.</summary>
    public bool TryLeave()
    {
        Interlocked.Exchange(ref _state, Idle);
        if (_reports.IsEmpty)
        {
            return true;
        }

        Volatile.Write(ref _state, Active);
        return false;
    }

    /// <summary>Polls for a report for at most <paramref name="budgetTicks"/> Stopwatch ticks, or until <paramref name="interrupted"/>.</summary>
    public bool Await(long budgetTicks, Func<bool> interrupted, out WindowDone report)
    {
        long until = Stopwatch.GetTimestamp() + budgetTicks;
        int spins = 0;
        while (!_reports.TryDequeue(out report!))
        {
            // Pause instructions first (a report usually comes within a few microseconds), then yield: a core busy
            // with pause slows its sibling, one that yields does not (see SpinningExecutor).
            if (++spins < 64)
            {
                Thread.SpinWait(8);
            }
            else
            {
                Thread.Yield();
            }

            if ((spins & 15) == 0 && (Stopwatch.GetTimestamp() > until || interrupted()))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Tells an idle partition that its <see cref="PeerInbox"/> holds reports; never leaves the process.</summary>
internal sealed class PeerInboxPoke : Akka.Actor.INoSerializationVerificationNeeded
{
    public static readonly PeerInboxPoke Instance = new();

    private PeerInboxPoke()
    {
    }
}

/// <summary>The inboxes of the partitions one process hosts, and whether they may poll (one thread each at least).</summary>
internal sealed class LocalPeers
{
    public LocalPeers(IReadOnlyList<int> partitions, int partitionCount, int threads)
    {
        Inboxes = new PeerInbox?[partitionCount];
        foreach (int p in partitions)
        {
            Inboxes[p] = new PeerInbox();
        }

        PollTicks = Polls(partitions.Count, threads) ? Stopwatch.Frequency / 5_000 : 0;
    }

    /// <summary>Polling pays when each partition has a thread and each thread a core; else a poller may hold the core its peer needs.</summary>
    public static bool Polls(int partitions, int threads) => partitions > 1 && partitions <= Math.Min(threads, Environment.ProcessorCount);

    /// <summary>By partition index; null for partitions in other processes.</summary>
    public PeerInbox?[] Inboxes { get; }

    /// <summary>How long a partition waiting for its peers' reports polls before it leaves its receive (200 µs), or 0.</summary>
    public long PollTicks { get; }
}
