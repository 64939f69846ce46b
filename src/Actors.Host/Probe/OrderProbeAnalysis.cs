namespace Disco.Actors.Host.Probe;

/// <summary>How one summary figure varies with the tie order.</summary>
internal sealed record FigureSpread(string Name, IReadOnlyList<double> Values, double Mean, double Min, double Max)
{
    /// <summary>(max − min) / |mean|, in percent; 0 when every value is 0.</summary>
    public double SpreadPercent => Mean == 0 ? (Max == Min ? 0 : double.PositiveInfinity) : (Max - Min) / Math.Abs(Mean) * 100;

    public bool Varies => Max != Min;
}

/// <summary>
/// Where the runs first differ: the earliest sample at which some component's state hash under some order is not
/// the canonical run's, the last sample before it at which all agreed, and the components that differ there.
/// </summary>
internal sealed record Divergence(string Order, long AfterPs, long ByPs, IReadOnlyList<string> Components);

/// <summary>The probe's findings over the runs of one scenario under several tie orders (the canonical run first).</summary>
internal sealed record OrderProbeAnalysis(
    IReadOnlyList<OrderRun> Runs,
    IReadOnlyList<FigureSpread> Figures,
    int ComponentsCompared,
    int FinalStatesDiffering,
    Divergence? FirstDivergence)
{
    /// <summary>True when some component's state or some figure differs between orders.</summary>
    public bool OrderDependent => FirstDivergence is not null || Figures.Any(f => f.Varies);

    /// <summary>Distinct digests among the runs (equal digests mean no tie was reordered).</summary>
    public int DistinctDigests => Runs.Select(r => r.Digest).Distinct().Count();

    public static OrderProbeAnalysis Analyze(IReadOnlyList<OrderRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count < 2)
        {
            throw new ArgumentException("the probe compares at least two orders", nameof(runs));
        }

        var names = runs.SelectMany(r => r.Figures.Keys).Distinct().Order(StringComparer.Ordinal);
        var figures = names.Select(name =>
        {
            var values = runs.Select(r => r.Figures.GetValueOrDefault(name)).ToList();
            return new FigureSpread(name, values, values.Average(), values.Min(), values.Max());
        }).ToList();

        var reference = runs[0];
        Divergence? first = null;
        foreach (var run in runs.Skip(1))
        {
            if (FirstDifference(reference, run) is { } d && (first is null || d.ByPs < first.ByPs))
            {
                first = d;
            }
        }

        var finals = reference.StateHashes.Where(kv => kv.Key.TimePs == Output.StateHashWriter.FinalPs).ToList();
        int differing = finals.Count(kv => runs.Skip(1).Any(r => r.StateHashes.TryGetValue(kv.Key, out ulong h) && h != kv.Value));
        return new OrderProbeAnalysis(runs, figures, finals.Count, differing, first);
    }

    /// <summary>The earliest sample where <paramref name="run"/>'s states are not <paramref name="reference"/>'s.</summary>
    public static Divergence? FirstDifference(OrderRun reference, OrderRun run)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(run);
        long lastEqual = 0;
        foreach (var group in reference.StateHashes.GroupBy(kv => kv.Key.TimePs).OrderBy(g => g.Key))
        {
            var differing = group
                .Where(kv => !run.StateHashes.TryGetValue(kv.Key, out ulong h) || h != kv.Value)
                .Select(kv => kv.Key.Component)
                .Order()
                .Select(id => reference.ComponentNames.GetValueOrDefault(id, $"#{id}"))
                .ToList();
            if (differing.Count > 0)
            {
                return new Divergence(run.Order, lastEqual, group.Key, differing);
            }

            lastEqual = group.Key;
        }

        return null;
    }
}
