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

    // Per partition the least output distance of its members (null: every partition's window ends at the horizon).
    private readonly long[]? _reactionPs;
    private int _leastPromiseOf = -1;
    private long _secondPromisePs = long.MaxValue;
    private int _leastReactionOf = -1;
    private long _leastReactionPs = long.MaxValue;
    private long _secondReactionPs = long.MaxValue;

    public WindowBook(int partitions, long[]? reactionPs = null)
    {
        if (reactionPs is not null)
        {
            _reactionPs = reactionPs;
            for (int p = 0; p < reactionPs.Length; p++)
            {
                if (reactionPs[p] < _leastReactionPs)
                {
                    (_secondReactionPs, _leastReactionPs, _leastReactionOf) = (_leastReactionPs, reactionPs[p], p);
                }
                else
                {
                    _secondReactionPs = Math.Min(_secondReactionPs, reactionPs[p]);
                }
            }
        }

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
            int d = done.BatchDestinations[i];
            _expectedBatches[d]++;
            _incomingMinPs[d] = Math.Min(_incomingMinPs[d], done.BatchMinPs[i]);
            _incomingReactionPs[d] = Math.Min(_incomingReactionPs[d], done.BatchReactionPs[i]);
        }
    }

    /// <summary>Once every report of a window is in: its batches become inputs of their destinations.</summary>
    public void Fold()
    {
        long earliest = long.MaxValue;
        long horizon = long.MaxValue;
        long second = long.MaxValue;
        int least = -1;
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
            if (_promisePs[p] < horizon)
            {
                (second, horizon, least) = (horizon, _promisePs[p], p);
            }
            else
            {
                second = Math.Min(second, _promisePs[p]);
            }
        }

        EarliestPs = earliest;
        HorizonPs = horizon;
        _leastPromiseOf = least;
        _secondPromisePs = second;
    }

    /// <summary>
    /// Where <paramref name="partition"/>'s next window may end: nothing another partition sends from now on arrives
    /// before the least of the others' promises (they receive nothing new inside the window: batches are delivered
    /// between windows), and nothing they send back in answer to this partition's own sends arrives before its promise
    /// plus the least reaction (<see cref="Model.Placement.ReactionPs"/>) of the others. So the partition with the least
    /// promise may run past the horizon, which every other partition's window ends at. Without reactions (conductor
    /// windows), the horizon for everyone.
    /// </summary>
    public long EndPs(int partition)
    {
        if (_reactionPs is null)
        {
            return HorizonPs;
        }

        long others = partition == _leastPromiseOf ? _secondPromisePs : HorizonPs;
        long reaction = partition == _leastReactionOf ? _secondReactionPs : _leastReactionPs;
        long own = _promisePs[partition];
        long answer = reaction == long.MaxValue || own > long.MaxValue - reaction ? long.MaxValue : own + reaction;
        return Math.Min(others, answer);
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

    /// <summary>How many partitions have an event before their own <see cref="EndPs"/>, capped at <paramref name="capPs"/>.</summary>
    public int WokenOwn(long capPs)
    {
        int n = 0;
        for (int p = 0; p < _nextPs.Length; p++)
        {
            if (_nextPs[p] < Math.Min(EndPs(p), capPs))
            {
                n++;
            }
        }

        return n;
    }
}
