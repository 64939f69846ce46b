using System.Globalization;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Spectre.Console;

namespace Disco.Actors.Host.Output;

/// <summary>
/// The progress line of a long run (simulated time, events/s, ETA) on stderr, drawn by Spectre.Console when stderr
/// is a terminal; nothing at all when it is redirected, so logs and scripts stay clean.
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(bool interactive, string title, TimeSpan? interval, Func<RunControl, Task<T>> run, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (!interactive || interval is null)
        {
            return await run(new RunControl { Stop = stop }).ConfigureAwait(false);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: 1000);
                var control = new RunControl
                {
                    Stop = stop,
                    ProgressInterval = interval.Value,
                    Progress = p =>
                    {
                        task.Value = p.Fraction * 1000;
                        task.Description = Markup.Escape(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{title}  t={new SimTime(p.SimTimePs)}  {p.Events:N0} events  {p.EventsPerSecond / 1e6:F2} M/s"));
                    },
                };
                result = await run(control).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }
}
