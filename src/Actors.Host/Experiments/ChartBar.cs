namespace Disco.Actors.Host.Experiments;

/// <summary>One bar: its group (bars normalized together share one), its label, and its segments' estimates.</summary>
internal sealed record ChartBar(string Group, string Label, IReadOnlyList<Estimate> Segments, Estimate Total);
