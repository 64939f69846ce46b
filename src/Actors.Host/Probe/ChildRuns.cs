using System.Diagnostics;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Probe;

/// <summary>
/// Runs <c>disco run</c> invocations as separate processes, up to a number at once: each has its own engine, memory
/// and failure, and the machine's cores work in parallel on separate runs.
/// </summary>
internal static class ChildRuns
{
    /// <summary>This executable: the apphost beside the assembly (also where tests find it), else the process's own path.</summary>
    public static string Executable
    {
        get
        {
            string beside = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "disco.exe" : "disco");
            return File.Exists(beside) ? beside : Environment.ProcessPath ?? "disco";
        }
    }

    /// <summary>Runs every job (a name and its arguments), <paramref name="jobs"/> at a time; throws on the first that failed.</summary>
    public static async Task RunAll(IReadOnlyList<(string Name, string[] Args)> runs, int jobs, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var failures = new List<(string Name, int Exit, string Err)>();
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancel }, async (run, token) =>
        {
            var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in run.Args)
            {
                start.ArgumentList.Add(a);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Executable}");
            var err = process.StandardError.ReadToEndAsync(token);
            _ = await process.StandardOutput.ReadToEndAsync(token).ConfigureAwait(false);
            try
            {
                await process.WaitForExitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            if (process.ExitCode != 0)
            {
                lock (failures)
                {
                    failures.Add((run.Name, process.ExitCode, err.Result.Trim()));
                }
            }
        }).ConfigureAwait(false);
        if (failures.OrderBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault() is { Name: not null } first)
        {
            string line = first.Err.Split('\n')[0];
            if (first.Exit == 2)
            {
                throw new BadInputException(first.Name, line);
            }

            throw new InvalidOperationException($"the run {first.Name} failed (exit {first.Exit}): {line}");
        }
    }
}
