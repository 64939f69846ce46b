using System.CommandLine;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Output;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// <c>disco report &lt;DIR&gt; [&lt;DIR2&gt; ...]</c>: tables of one run's summary.json, or of up to eight side by side
/// (the first the reference: a bare run against Disco, or the variants of a scaling study), and the paper's stacked
/// bar chart of the time breakdown. Every input is read and the chart drawn
/// before anything is printed or written, so bad input leaves no partial output.
/// </summary>
internal static class ReportCommand
{
    private const int MaxRuns = 8;

    public static Command Create(CliIo io)
    {
        var dirs = new Argument<string[]>("dirs") { Description = "Run results folders (each holds summary.json); the first is the reference. At most 8.", Arity = ArgumentArity.OneOrMore };
        var plotFile = new Option<string?>("--plot") { Description = "Where to write the breakdown chart (PNG; default <dir>/report.png)." };
        var noPlot = new Option<bool>("--no-plot") { Description = "Write no chart." };
        var command = new Command("report", "Print a run's time breakdown, memory footprint, guest kernel services and headline counters (several runs side by side), and plot the breakdown.")
        {
            dirs, plotFile, noPlot,
        };
        command.SetAction(parse =>
        {
            string[] folders = parse.GetValue(dirs)!;
            if (folders.Length > MaxRuns)
            {
                throw new BadInputException("dirs", $"at most {MaxRuns} runs side by side (got {folders.Length})");
            }

            string? plotPath = parse.GetValue(plotFile);
            bool skipPlot = parse.GetValue(noPlot);
            if (plotPath is not null && skipPlot)
            {
                throw new BadInputException("--plot", "cannot be used with --no-plot");
            }

            return Report(io, [.. folders.Select(SummaryFile.Load)], skipPlot ? null : plotPath ?? Path.Combine(folders[0], "report.png"));
        });
        return command;
    }

    private static int Report(CliIo io, SummaryFile[] runs, string? plotPath)
    {
        var text = new StringWriter();
        RunReport.Write(text, runs);
        if (plotPath is not null)
        {
            if (BreakdownPlot.Render(runs) is { } png)
            {
                BreakdownPlot.Save(plotPath, png);
                text.WriteLine();
                text.WriteLine($"plot: {plotPath}");
            }
            else
            {
                text.WriteLine();
                text.WriteLine("plot: none (run 1 has no processor time to normalize against)");
            }
        }

        io.Out.Write(text.ToString());
        return DiscoCli.Ok;
    }
}
