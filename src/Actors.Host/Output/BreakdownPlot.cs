using Disco.Actors.Engine.Configuration;
using ScottPlot;

namespace Disco.Actors.Host.Output;

/// <summary>
/// The paper's bar chart of the time breakdown: one stacked bar per run (idle at the bottom, then user, kernel,
/// monitor, stall), each normalized to run 1's total = 100, so a bar's height is its run's time relative to run 1.
/// </summary>
internal static class BreakdownPlot
{
    private const int Width = 640;
    private const int Height = 480;

    // Greys for the time no program used (idle, stall), colours for the time spent running code.
    private static readonly Color[] BucketColors =
    [
        Color.FromHex("#D9D9D9"), // idle
        Color.FromHex("#4472C4"), // user
        Color.FromHex("#ED7D31"), // kernel
        Color.FromHex("#C00000"), // monitor
        Color.FromHex("#7F7F7F"), // stall
    ];

    /// <summary>
    /// The chart as PNG bytes; null when run 1 has no processor time (nothing to normalize against, as in PHOLD).
    /// </summary>
    public static byte[]? Render(IReadOnlyList<SummaryFile> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var reference = runs[0].CpuTime;
        if (reference.TotalPs == 0)
        {
            return null;
        }

        using var plot = new Plot();
        var ticks = new List<Tick>();
        for (int r = 0; r < runs.Count; r++)
        {
            double position = r + 1;
            double top = 0;
            for (int b = 0; b < TimeBreakdown.Buckets.Length; b++)
            {
                double value = runs[r].CpuTime.Normalized(b, reference) ?? 0;
                plot.Add.Bar(new Bar { Position = position, ValueBase = top, Value = top + value, FillColor = BucketColors[b] });
                top += value;
            }

            var total = plot.Add.Text($"{top:F0}", position, top);
            total.LabelAlignment = Alignment.LowerCenter;
            ticks.Add(new Tick(position, Label(runs[r].Folder, r)));
        }

        // Top of the stack first, as the bars read from the top down.
        for (int b = TimeBreakdown.Buckets.Length - 1; b >= 0; b--)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = TimeBreakdown.Buckets[b], FillColor = BucketColors[b] });
        }

        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(0.3, runs.Count + 1.2, 0, runs.Max(r => r.CpuTime.NormalizedTotal(reference) ?? 0) * 1.12);
        plot.Title("Processor time breakdown");
        plot.YLabel("normalized execution time (run 1 = 100)");
        plot.HideGrid();
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>Writes through a temporary file, so a reader never sees half a picture.</summary>
    public static void Save(string path, byte[] png)
    {
        string tmp = path + ".tmp";
        try
        {
            File.WriteAllBytes(tmp, png);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }

            throw new BadInputException(path, $"cannot write the plot: {ex.Message}");
        }
    }

    /// <summary>The run folder's name under its bar, numbered so two folders of the same name stay apart.</summary>
    private static string Label(string folder, int run) =>
        $"{run + 1}: {Path.GetFileName(Path.TrimEndingDirectorySeparator(folder))}";
}
