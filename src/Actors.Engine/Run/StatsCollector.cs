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

    public static ComponentReport Report(Component c)
    {
        var sink = new StatsCollector();
        c.ReportStats(sink);
        var report = new ComponentReport(c.Id.Value, c.Kind, c.PlacementKey, c.CurrentDigest, c.HandledCount, sink._counters);
        return sink._lent is null
            ? report
            : report with { Lent = sink._lent.ToDictionary(kv => kv.Key, kv => (IReadOnlyDictionary<string, long>)kv.Value._counters) };
    }
}
