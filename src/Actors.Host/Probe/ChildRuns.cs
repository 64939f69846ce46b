using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Cli;
using Disco.Actors.Host.Experiments;

namespace Disco.Actors.Host.Probe;

/// <summary>
/// Runs <c>disco run</c> invocations as separate processes (<see cref="RunLauncher"/>, as the experiments do), up to a
/// number at once: each has its own engine, memory and failure, and the machine's cores work on separate runs.
/// </summary>
internal static class ChildRuns
{
    /// <summary>
    /// Runs every job (a name, its arguments and its folder, where <c>disco.log</c> keeps what it printed),
    /// <paramref name="jobs"/> at a time; throws on the first that failed, with its one-line error.
    /// </summary>
    public static async Task RunAll(IReadOnlyList<(string Name, string[] Args, string Folder)> runs, int jobs, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var failures = new List<(string Name, int Exit, string Folder)>();
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancel }, async (run, token) =>
        {
            int exit = await RunLauncher.RunAsync(run.Args, run.Folder, token).ConfigureAwait(false);
            if (exit != 0)
            {
                lock (failures)
                {
                    failures.Add((run.Name, exit, run.Folder));
                }
            }
        }).ConfigureAwait(false);
        if (failures.OrderBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault() is { Name: not null } first)
        {
            // The child's own one-line error ("disco: ..."), as it printed it into its log.
            string log = Path.Combine(first.Folder, RunLauncher.LogFile);
            string line = File.ReadLines(log).LastOrDefault(l => l.StartsWith("disco: ", StringComparison.Ordinal))?["disco: ".Length..] ?? $"see {log}";
            if (first.Exit == DiscoCli.BadInput)
            {
                throw new BadInputException(first.Name, line);
            }

            throw new InvalidOperationException($"the run {first.Name} failed (exit {first.Exit}): {line}");
        }
    }
}
