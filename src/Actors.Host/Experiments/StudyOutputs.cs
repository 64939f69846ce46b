using System.Globalization;
using System.Text;
using Disco.Actors.Host.Output;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// The figures (PNG and SVG, with their numbers as a Markdown table) and tables a study's file asks for, drawn from
/// its results; each returns its part of REPORT.md.
/// </summary>
internal static class StudyOutputs
{
    public static IEnumerable<string> Write(Study study, ResultsTable results)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(results);
        var parts = new List<string>();
        foreach (string figure in study.File.Figures)
        {
            var chart = Chart(figure, results);
            StackedBarPlot.Save(chart, study.Folder);
            parts.Add(Markdown(chart));
        }

        foreach (string table in study.File.Tables)
        {
            parts.Add(table switch
            {
                "table2" => StudyTables.Table2(results),
                "table3" => StudyTables.Table3(results),
                _ => CalibrationTable.Write(results, study.File.Targets),
            });
        }

        return parts;
    }

    public static BarChart Chart(string figure, ResultsTable results) => figure switch
    {
        "figure5" => StudyFigures.Figure5(results),
        "figure6" => StudyFigures.Figure6(results),
        "figure7" => StudyFigures.Figure7(results),
        "figure8" => StudyFigures.Figure8(results),
        _ => throw new ArgumentOutOfRangeException(nameof(figure), figure, "no such figure"),
    };

    /// <summary>The picture and the numbers behind it: one row per bar, one column per segment, bottom first.</summary>
    private static string Markdown(BarChart chart)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"## {chart.Title}\n\n![{chart.Title}]({chart.Name}.png)\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{chart.Note} Also as [{chart.Name}.svg]({chart.Name}.svg). {(chart.Bars.Any(b => b.Total.Runs > 1) ? "Mean ± 95% confidence interval over the repetitions." : "One run per configuration: no confidence interval.")}\n\n");
        text.Append("| group | bar | ").AppendJoin(" | ", chart.Segments).Append(" | total |\n|---|---|");
        text.Append(string.Concat(chart.Segments.Select(_ => "---:|"))).Append("---:|\n");
        foreach (var bar in chart.Bars)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {bar.Group} | {bar.Label} | ").AppendJoin(" | ", bar.Segments.Select(s => s.Format())).Append(CultureInfo.InvariantCulture, $" | {bar.Total.Format()} |\n");
        }

        return text.ToString();
    }
}
