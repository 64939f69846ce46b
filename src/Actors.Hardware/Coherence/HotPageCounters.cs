using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// FLASH's per-page miss counters at a home: misses of each node to each page in the current interval (reset lazily,
/// by the first miss of a new interval), and the hot-page interrupt raised when one node's count reaches the threshold.
/// A threshold of 0 turns both off (the counters are MAGIC's software: a monitor that does not migrate pages does not
/// keep them).
/// </summary>
public sealed class HotPageCounters : IStateful
{
    private readonly MachineParams _p;
    private readonly MachineLayout _layout;
    private readonly int _home;
    private readonly ComponentId? _target;
    private readonly Dictionary<long, PageMisses> _pages = [];
    private long _interrupts;

    public HotPageCounters(MachineParams parameters, MachineLayout layout, int home, ComponentId? hotPageComponent)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        _p = parameters;
        _layout = layout;
        _home = home;
        _target = hotPageComponent;
        if (parameters.HotPageTarget == HotPageTarget.Component && hotPageComponent is null)
        {
            throw new ArgumentException("a hot-page target component must be given when HotPageTarget is Component");
        }
    }

    public long Interrupts => _interrupts;

    /// <summary>
    /// Counts a miss of <paramref name="node"/> to <paramref name="page"/> at <paramref name="nowPs"/>. Returns the
    /// interrupt to raise and whom to send it to when this miss made the page hot, else null.
    /// </summary>
    public (ComponentId Target, HotPageInterrupt Interrupt)? CountMiss(long page, int node, bool write, long nowPs)
    {
        if (_p.HotPageThreshold <= 0)
        {
            return null; // interrupts off: nobody reads the counts, so they are not kept (nor checkpointed)
        }

        long interval = nowPs / _p.HotPageIntervalPs;
        if (!_pages.TryGetValue(page, out var c))
        {
            c = new PageMisses(_p.Nodes);
            _pages[page] = c;
        }

        if (c.Interval != interval)
        {
            c.Interval = interval;
            Array.Clear(c.Misses);
            c.Writes = 0;
        }

        if (write)
        {
            c.Writes++;
        }

        int misses = ++c.Misses[node];
        if (_p.HotPageThreshold <= 0 || misses != _p.HotPageThreshold || _p.HotPageTarget == HotPageTarget.None || (_p.HotPageRemoteOnly && node == _home))
        {
            return null;
        }

        _interrupts++;
        var target = _p.HotPageTarget switch
        {
            HotPageTarget.Requester => _layout.Processor(node),
            HotPageTarget.Home => _layout.Processor(_home),
            _ => _target!.Value,
        };
        return (target, new HotPageInterrupt(new MachinePage(page), new NodeId(node), (int[])c.Misses.Clone(), c.Writes));
    }

    /// <summary>Misses of <paramref name="node"/> to <paramref name="page"/> in the interval that contains <paramref name="nowPs"/>.</summary>
    public int MissesOf(MachinePage page, NodeId node, long nowPs) =>
        _pages.TryGetValue(page.Value, out var c) && c.Interval == nowPs / _p.HotPageIntervalPs ? c.Misses[node.Value] : 0;

    public void DeclareState(ref StateIo io)
    {
        io.Counter("hw.dir.hot_page_interrupts", ref _interrupts);
        int nodes = _p.Nodes;
        io.SortedMap("page counters", _pages, (int)Math.Min(int.MaxValue, _p.PagesPerNode), 0, long.MaxValue, (ref StateIo inner, ref PageMisses c) =>
        {
            c ??= new PageMisses(nodes);
            inner.Long("page interval", ref c.Interval, 0);
            inner.Int("page writes", ref c.Writes, 0);
            inner.Ints("page misses", c.Misses, 0);
        });
    }

    /// <summary>One page's counts in its latest interval.</summary>
    private sealed class PageMisses(int nodes)
    {
        public long Interval = -1;

        public int Writes;

        public readonly int[] Misses = new int[nodes];
    }
}
