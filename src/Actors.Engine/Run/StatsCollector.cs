using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.Run;

/// <summary>Gathers one component's counters into a dictionary (and those it reports for other components).</summary>
internal sealed class StatsCollector : IStatsSink
{
    private readonly SortedDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private SortedDictionary<int, StatsCollector>? _lent;

    public void Add(string name, long value) => _counters[name] = _counters.GetValueOrDefault(name) + value;

    public IStatsSink On(ComponentId owner)
    {
        _lent ??= [];
        if (!_lent.TryGetValue(owner.Value, out var sink))
        {
            sink = new StatsCollector();
            _lent[owner.Value] = sink;
        }

        return sink;
    }

    public static ComponentReport Report(Component c) => Report(c, stateHash: true);

    /// <param name="stateHash">Also hash the component's state (a serialization of it: costly on big components).</param>
    public static ComponentReport Report(Component c, bool stateHash) => Report(c, stateHash, new StatsCollector());

    /// <summary>
    /// Every component of a loop, and what its pending messages carry (<see cref="ICarriedStats"/>): reported with the
    /// report of the component they go to, on their owner's behalf. Sums, so the queue's order does not matter.
    /// </summary>
    public static ComponentReport[] Report(Kernel.EventLoop loop, bool stateHash)
    {
        Dictionary<int, StatsCollector>? carried = null;
        foreach (var e in loop.Queue.UnorderedItems())
        {
            if (e.Message is ICarriedStats m)
            {
                carried ??= [];
                if (!carried.TryGetValue(e.Target, out var host))
                {
                    host = new StatsCollector();
                    carried[e.Target] = host;
                }

                m.ReportStats(host.On(m.Owner));
            }
        }

        return [.. loop.Components.Select(c => Report(c, stateHash, carried?.GetValueOrDefault(c.Id.Value) ?? new StatsCollector()))];
    }

    private static ComponentReport Report(Component c, bool stateHash, StatsCollector sink)
    {
        c.ReportStats(sink);
        var report = new ComponentReport(c.Id.Value, c.Kind, c.PlacementKey, c.CurrentDigest, c.HandledCount, sink._counters)
        {
            StateHash = stateHash ? State.ComponentState.Hash(c) : 0,
        };
        return sink._lent is null
            ? report
            : report with { Lent = sink._lent.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, long>)kv.Value._counters) };
    }
}
