namespace Disco.Actors.Host.Experiments;

/// <summary>
/// A figure's numbers before it is drawn: stacked bars (segments bottom first), each the mean over its
/// configuration's repetitions, with the confidence interval of its total as the error bar.
/// </summary>
internal sealed record BarChart(string Name, string Title, string YLabel, IReadOnlyList<string> Segments, IReadOnlyList<ChartBar> Bars, string Note);
