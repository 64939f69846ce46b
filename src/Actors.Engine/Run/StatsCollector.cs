using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.Run;

/// <summary>Gathers one component's counters into a dictionary.</summary>
internal sealed class StatsCollector : IStatsSink
{
    private readonly SortedDictionary<string, long> _counters = new(StringComparer.Ordinal);

    public void Add(string name, long value) => _counters[name] = _counters.GetValueOrDefault(name) + value;

    public static ComponentReport Report(Component c) => Report(c, stateHash: true);

    /// <param name="stateHash">Also hash the component's state (a serialization of it: costly on big components).</param>
    public static ComponentReport Report(Component c, bool stateHash)
    {
        var sink = new StatsCollector();
        c.ReportStats(sink);
        return new ComponentReport(c.Id.Value, c.Kind, c.PlacementKey, c.CurrentDigest, c.HandledCount, sink._counters)
        {
            StateHash = stateHash ? State.ComponentState.Hash(c) : 0,
        };
    }
}
