namespace Disco.Actors.Engine.Actors;

/// <summary>
/// What decides the next window: per partition its next event time, its promise and the batches sent to it, folded
/// from the reports of the last window. The conductor keeps one; with peer windows every partition keeps an
/// identical copy, fed the same reports, so all of them open the same windows without asking the conductor.
/// </summary>
internal sealed class WindowBook
{
    private readonly long[] _nextPs;
    private readonly long[] _promisePs;
    private readonly long[] _expectedBatches;
    private readonly long[] _incomingMinPs;
    private readonly long[] _incomingReactionPs;

    public WindowBook(int partitions)
    {
        _nextPs = new long[partitions];
        _promisePs = new long[partitions];
        _expectedBatches = new long[partitions];
        _incomingMinPs = new long[partitions];
        _incomingReactionPs = new long[partitions];
        Array.Fill(_incomingMinPs, long.MaxValue);
        Array.Fill(_incomingReactionPs, long.MaxValue);
    }

    public int Count => _nextPs.Length;

    /// <summary>Batches sent to <paramref name="partition"/> by the windows reported so far.</summary>
    public long ExpectedBatches(int partition) => _expectedBatches[partition];

    public long NextPs(int partition) => _nextPs[partition];

    /// <summary>Earliest pending event anywhere, once <see cref="Fold"/> ran.</summary>
    public long EarliestPs { get; private set; }

    /// <summary>The least promise: no message sent from now on arrives anywhere before it.</summary>
    public long HorizonPs { get; private set; }

    public void Apply(WindowDone done)
    {
        int p = done.Partition;
        _nextPs[p] = done.NextEventPs;
        _promisePs[p] = done.PromisePs;
        for (int i = 0; i < done.BatchDestinations.Length; i++)
        {
            AddBatch(done.BatchDestinations[i], done.BatchMinPs[i], done.BatchReactionPs[i]);
        }
    }

    /// <summary>A group's report: its reporting members' rows and their batches, as if each member had reported itself.</summary>
    public void Apply(GroupDone done)
    {
        for (int i = 0; i < done.Members.Length; i++)
        {
            int p = done.Members[i];
            _nextPs[p] = done.NextPs[i];
            _promisePs[p] = done.PromisePs[i];
        }

        for (int i = 0; i < done.Destinations.Length; i++)
        {
            AddBatch(done.Destinations[i], done.MinPs[i], done.ReactionPs[i]);
        }
    }

    /// <summary>A batch sent to <paramref name="destination"/>: one more to wait for, and what it brings forward.</summary>
    private void AddBatch(int destination, long minPs, long reactionPs)
    {
        _expectedBatches[destination]++;
        _incomingMinPs[destination] = Math.Min(_incomingMinPs[destination], minPs);
        _incomingReactionPs[destination] = Math.Min(_incomingReactionPs[destination], reactionPs);
    }

    /// <summary>Once every report of a window is in: its batches become inputs of their destinations.</summary>
    public void Fold()
    {
        long earliest = long.MaxValue;
        long horizon = long.MaxValue;
        for (int p = 0; p < _nextPs.Length; p++)
        {
            if (_incomingMinPs[p] != long.MaxValue)
            {
                _nextPs[p] = Math.Min(_nextPs[p], _incomingMinPs[p]);
                _promisePs[p] = Math.Min(_promisePs[p], _incomingReactionPs[p]);
                _incomingMinPs[p] = long.MaxValue;
                _incomingReactionPs[p] = long.MaxValue;
            }

            earliest = Math.Min(earliest, _nextPs[p]);
            horizon = Math.Min(horizon, _promisePs[p]);
        }

        EarliestPs = earliest;
        HorizonPs = horizon;
    }

    /// <summary>How many partitions have an event before <paramref name="endPs"/> (those a window ending there wakes).</summary>
    public int Woken(long endPs)
    {
        int n = 0;
        foreach (long next in _nextPs)
        {
            if (next < endPs)
            {
                n++;
            }
        }

        return n;
    }
}
