using Disco.Actors.Engine.Tracing;
using ScottPlot;

namespace Disco.Actors.Host.Output;

/// <summary>
/// A message sequence chart of a trace's first messages: one row per component, a dot where it handled a message,
/// an arrow from the handling that sent it (colour by message kind). For a picture in a report; Perfetto is the tool
/// for browsing a whole trace.
/// </summary>
internal static class TracePlot
{
    private const int Width = 1200;

    public static byte[] Render(MessageTraceFile trace, int maxMessages)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var records = trace.Records.Take(maxMessages).ToList();
        var sent = TraceExport.SendTimes(trace);
        var rows = records.SelectMany(r => new[] { r.Target, r.Sender }).Distinct().Order().ToList();
        var rowOf = rows.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => (double)(rows.Count - 1 - x.i));
        var kinds = records.Select(r => r.Kind).Distinct().Order().ToList();
        var palette = new ScottPlot.Palettes.Category10();
        using var plot = new Plot();
        for (int i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var color = palette.GetColor(kinds.IndexOf(r.Kind));
            double x = r.TimePs / 1e6;
            if (sent[i] >= 0 && rowOf.TryGetValue(r.Sender, out double from))
            {
                var arrow = plot.Add.Arrow(new Coordinates(sent[i] / 1e6, from), new Coordinates(x, rowOf[r.Target]));
                arrow.ArrowFillColor = color.WithAlpha(0.6);
                arrow.ArrowLineColor = color.WithAlpha(0.6);
                arrow.ArrowheadWidth = 6;
                arrow.ArrowheadLength = 8;
                arrow.ArrowWidth = 1;
            }

            var dot = plot.Add.Marker(x, rowOf[r.Target]);
            dot.Color = color;
            dot.Size = 5;
        }

        foreach (int k in kinds)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = trace.KindName(k), FillColor = palette.GetColor(kinds.IndexOf(k)) });
        }

        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. rows.Select(id => new Tick(rowOf[id], trace.ComponentName(id)))]);
        plot.XLabel("simulated time (µs)");
        plot.Title(records.Count < trace.Records.Count ? $"The first {records.Count:N0} of {trace.Records.Count:N0} messages" : $"{records.Count:N0} messages");
        return plot.GetImageBytes(Width, Math.Clamp(120 + (rows.Count * 22), 300, 2000), ImageFormat.Png);
    }
}
