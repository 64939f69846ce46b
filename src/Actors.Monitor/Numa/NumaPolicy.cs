using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Numa;

/// <summary>
/// [V]'s policy for a hot page: a page missed mostly by one node moves there; a page read by several nodes with few
/// writes is copied to the hot node; a write-shared page stays. A page moves at most <see cref="NumaParams.MoveLimit"/>
/// times per interval, and one that keeps going back to where it was is frozen for <see cref="NumaParams.FreezePs"/>.
/// Pure: what it remembers is each page's moves in the current interval, where it last came from and its bounces.
/// </summary>
public sealed class NumaPolicy : IStateful
{
    private readonly NumaParams _p;
    private readonly long _intervalPs;
    private readonly Dictionary<long, PageHistory> _pages = [];
    private readonly long[] _decisions = new long[NumaActions.Count];

    /// <param name="intervalPs">The hardware counters' reset interval: the policy's interval too.</param>
    public NumaPolicy(NumaParams parameters, long intervalPs)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalPs, 1);
        _p = parameters;
        _intervalPs = intervalPs;
    }

    /// <summary>Decisions taken, by <see cref="NumaAction"/>.</summary>
    public long Decisions(NumaAction action) => _decisions[(int)action];

    /// <summary>Decides what to do with a hot page at <paramref name="nowPs"/> (counted; a move counts against the page once it is <see cref="Moving"/>).</summary>
    public NumaAction Decide(in HotPage hot, long nowPs)
    {
        var action = Choose(hot, nowPs);
        _decisions[(int)action]++;
        return action;
    }

    /// <summary>The monitor moves the page as decided: the move counts against its limit, and a return to where it came from as a bounce.</summary>
    public void Moving(in HotPage hot, NumaAction action, long nowPs)
    {
        if (action is not (NumaAction.Migrate or NumaAction.Replicate))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "only migrations and replications move a page");
        }

        Record(hot, action, nowPs);
    }

    /// <summary>A page the monitor freed or collapsed is forgotten: a new page at that number starts afresh.</summary>
    public void Forget(long page) => _pages.Remove(page);

    /// <summary>A migrated page is now <paramref name="to"/>: its history follows it.</summary>
    public void Moved(long from, long to)
    {
        if (_pages.Remove(from, out var history))
        {
            _pages[to] = history;
        }
    }

    private NumaAction Choose(in HotPage hot, long nowPs)
    {
        if (hot.PageNode == hot.HotNode || hot.ReplicaNodes.Contains(hot.HotNode))
        {
            return NumaAction.AlreadyLocal;
        }

        if (_pages.TryGetValue(hot.Page, out var h))
        {
            if (h.FrozenUntilPs > nowPs)
            {
                return NumaAction.Frozen;
            }

            if (h.Interval == nowPs / _intervalPs && h.Moves >= _p.MoveLimit)
            {
                return NumaAction.MoveLimited;
            }
        }

        bool shared = false;
        for (int node = 0; node < hot.NodeMisses.Count; node++)
        {
            shared |= node != hot.HotNode && hot.NodeMisses[node] >= _p.SharingThreshold;
        }

        if (!shared)
        {
            return NumaAction.Migrate;
        }

        return hot.Writes <= _p.WriteThreshold ? NumaAction.Replicate : NumaAction.WriteShared;
    }

    private void Record(in HotPage hot, NumaAction action, long nowPs)
    {
        if (!_pages.TryGetValue(hot.Page, out var h))
        {
            h = new PageHistory { LastFromNode = -1 };
            _pages[hot.Page] = h;
        }

        long interval = nowPs / _intervalPs;
        if (h.Interval != interval)
        {
            h.Interval = interval;
            h.Moves = 0;
        }

        h.Moves++;
        if (action == NumaAction.Migrate)
        {
            if (hot.HotNode == h.LastFromNode && ++h.Bounces >= _p.BounceLimit)
            {
                h.FrozenUntilPs = nowPs + _p.FreezePs;
                h.Bounces = 0;
            }

            h.LastFromNode = hot.PageNode;
        }
    }

    public void DeclareState(ref StateIo io)
    {
        io.Counters("monitor.numa.decisions", _decisions, NumaActions.All);
        io.SortedMap("numa page histories", _pages, 1 << 26, 0, long.MaxValue, static (ref StateIo inner, ref PageHistory h) =>
        {
            h ??= new PageHistory();
            inner.Long("numa interval", ref h.Interval, -1);
            inner.Int("numa moves", ref h.Moves, 0);
            inner.Int("numa last from", ref h.LastFromNode, -1);
            inner.Int("numa bounces", ref h.Bounces, 0);
            inner.Long("numa frozen until", ref h.FrozenUntilPs, 0);
        });
    }

    /// <summary>One page's moves in its latest interval, the node it last left, its bounces, and until when it is frozen.</summary>
    private sealed class PageHistory
    {
        public long Interval = -1;

        public int Moves;

        public int LastFromNode;

        public int Bounces;

        public long FrozenUntilPs;
    }
}
