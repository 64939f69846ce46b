using Disco.Actors.Host.Experiments;
using ScottPlot;

namespace Disco.Actors.Host.Output;

/// <summary>
/// Draws a <see cref="BarChart"/> as the paper draws its figures: stacked bars grouped by workload (a gap between
/// groups, the group's name under its first bar), the mean total above each bar and, with several runs per
/// configuration, its 95% confidence interval as an error bar; a legend with the top of the stack first.
/// </summary>
internal static class StackedBarPlot
{
    private const int Width = 900;
    private const int Height = 540;
    private const double GroupGap = 0.6;

    private static readonly Dictionary<string, Color> Colors = new(StringComparer.Ordinal)
    {
        ["user"] = Color.FromHex("#4472C4"),
        ["user stall"] = Color.FromHex("#9DC3E6"),
        ["kernel"] = Color.FromHex("#ED7D31"),
        ["sync"] = Color.FromHex("#7030A0"),
        ["monitor"] = Color.FromHex("#C00000"),
        ["idle"] = Color.FromHex("#D9D9D9"),
        ["kernel_text"] = Color.FromHex("#ED7D31"),
        ["kernel_data"] = Color.FromHex("#FFC000"),
        ["buffer_cache"] = Color.FromHex("#70AD47"),
        ["process"] = Color.FromHex("#4472C4"),
    };

    /// <summary>Writes <c>&lt;name&gt;.png</c> and <c>&lt;name&gt;.svg</c> into <paramref name="folder"/>; returns their paths.</summary>
    public static (string Png, string Svg) Save(BarChart chart, string folder)
    {
        ArgumentNullException.ThrowIfNull(chart);
        using var plot = Build(chart);
        string png = Path.Combine(folder, chart.Name + ".png");
        string svg = Path.Combine(folder, chart.Name + ".svg");
        BreakdownPlot.Save(png, plot.GetImageBytes(Width, Height, ImageFormat.Png));
        File.WriteAllText(svg + ".tmp", plot.GetSvgXml(Width, Height));
        File.Move(svg + ".tmp", svg, overwrite: true);
        return (png, svg);
    }

    private static Plot Build(BarChart chart)
    {
        var plot = new Plot();
        var ticks = new List<Tick>();
        var errorXs = new List<double>();
        var errorYs = new List<double>();
        var errors = new List<double>();
        double position = 0;
        string? group = null;
        double top = 0;
        string format = chart.Bars.Max(b => b.Total.Mean) < 50 ? "F1" : "F0";
        foreach (var bar in chart.Bars)
        {
            position += bar.Group == group ? 1 : 1 + (group is null ? 0 : GroupGap);
            bool first = bar.Group != group;
            group = bar.Group;
            double y = 0;
            for (int s = 0; s < chart.Segments.Count; s++)
            {
                double value = bar.Segments[s].Mean;
                plot.Add.Bar(new Bar { Position = position, ValueBase = y, Value = y + value, FillColor = ColorOf(chart.Segments[s]) });
                y += value;
            }

            var total = plot.Add.Text(bar.Total.Mean.ToString(format, System.Globalization.CultureInfo.InvariantCulture), position, y + bar.Total.HalfWidth);
            total.LabelAlignment = Alignment.LowerCenter;
            total.LabelFontSize = 11;
            if (bar.Total.Runs > 1)
            {
                errorXs.Add(position);
                errorYs.Add(y);
                errors.Add(bar.Total.HalfWidth);
            }

            top = Math.Max(top, y + bar.Total.HalfWidth);
            ticks.Add(new Tick(position, first && bar.Group != bar.Label ? $"{bar.Label}\n{bar.Group}" : bar.Label));
        }

        if (errorXs.Count > 0)
        {
            var bars = plot.Add.ErrorBar(errorXs, errorYs, errors);
            bars.Color = Color.FromHex("#000000");
        }

        for (int s = chart.Segments.Count - 1; s >= 0; s--)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = chart.Segments[s].Replace('_', ' '), FillColor = ColorOf(chart.Segments[s]) });
        }

        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(0.3, position + 2.2, 0, Math.Max(1, top) * 1.15);
        plot.Title(chart.Title);
        plot.YLabel(chart.YLabel);
        plot.HideGrid();
        return plot;
    }

    private static Color ColorOf(string segment) => Colors.TryGetValue(segment, out var c) ? c : Color.FromHex("#7F7F7F");
}
