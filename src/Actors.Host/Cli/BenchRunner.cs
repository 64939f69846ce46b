using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Run;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary>One layout a benchmark runs: an engine and, for the actor engine, its partitions and threads.</summary>
internal sealed record BenchLayout(string? Engine, string? Partitions, string? Threads)
{
    public string Name => Engine == RunSettings.Sequential
        ? "sequential"
        : $"{Engine ?? "actors"} partitions={Partitions ?? "auto"} threads={Threads ?? "0"}";

    /// <summary>Every combination of the comma-separated lists; the sequential kernel once, whatever the others say.</summary>
    public static IReadOnlyList<BenchLayout> Expand(string? engines, string? partitions, string? threads)
    {
        var layouts = new List<BenchLayout>();
        foreach (string? e in Split(engines))
        {
            if (e == RunSettings.Sequential)
            {
                layouts.Add(new BenchLayout(e, null, null));
                continue;
            }

            foreach (string? p in Split(partitions))
            {
                foreach (string? t in Split(threads))
                {
                    layouts.Add(new BenchLayout(e, p, t));
                }
            }
        }

        return layouts;
    }

    private static string?[] Split(string? list) =>
        list is null ? [null] : [.. list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}

/// <summary>
/// Runs a benchmark's layouts, interleaved when repeated (one of each, then again), and prints per run the engine's
/// figures: windows, events per window, the barrier share, the load imbalance, simulated instructions per second.
/// Each run is an ordinary run (summary.json in its folder, the same digest on every layout).
/// </summary>
internal static class BenchRunner
{
    public static async Task<int> RunAsync(
        CliIo io, string? scenarioText, string scenarioName, IReadOnlyList<ConfigOverride> overrides, IReadOnlyList<BenchLayout> layouts, int repeat, string? outDir, string defaultSubdir, CancellationToken cancel)
    {
        if (repeat < 1)
        {
            throw new BadInputException("--repeat", "must be at least 1");
        }

        var results = layouts.Select(_ => new List<RunResult>()).ToArray();
        for (int r = 0; r < repeat && !cancel.IsCancellationRequested; r++)
        {
            for (int i = 0; i < layouts.Count && !cancel.IsCancellationRequested; i++)
            {
                var layout = layouts[i];
                var o = new List<ConfigOverride>(overrides);
                RunCommand.AddIf(o, "engine.kind", layout.Engine, "--engine");
                RunCommand.AddIf(o, "engine.partitions", layout.Partitions, "--partitions");
                RunCommand.AddIf(o, "engine.threads", layout.Threads, "--threads");
                var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, scenarioText, scenarioName, o);
                string output = outDir ?? Path.Combine(config.GetString("disco.output.dir"), defaultSubdir);
                var into = results[i];
                int exit = await RunCommand.RunNew(io, config, scenarioName, output, cluster: null, cancel, result =>
                {
                    into.Add(result);
                    io.Out.WriteLine(Figures(result));
                }).ConfigureAwait(false);
                if (exit != DiscoCli.Ok)
                {
                    return exit;
                }
            }
        }

        if (layouts.Count > 1 || repeat > 1)
        {
            PrintMedians(io, layouts, results);
        }

        return DiscoCli.Ok;
    }

    /// <summary>The engine's figures of one run, on one indented line.</summary>
    public static string Figures(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new List<string>();
        double wall = result.WallSeconds;
        long instructions = result.Counter("instructions");
        if (instructions > 0 && wall > 0)
        {
            text.Add(string.Create(CultureInfo.InvariantCulture, $"{instructions / wall / 1e6:F2} M simulated instructions per wall second"));
        }

        if (result.Stats is { } s)
        {
            double perWindowUs = s.Windows > 0 ? wall / s.Windows * 1e6 : 0;
            text.Add(string.Create(CultureInfo.InvariantCulture, $"{s.Windows:N0} windows ({(wall > 0 ? s.Windows / wall : 0):N0}/s, {perWindowUs:F1} us and {s.EventsPerWindow:F1} events per window)"));
            text.Add(string.Create(CultureInfo.InvariantCulture, $"barrier {s.BarrierShare(wall):P0} of partition time (outside their windows), coordination {s.CoordinatorSeconds:F2} s"));
            text.Add(string.Create(CultureInfo.InvariantCulture, $"{s.MessagesPerEvent:F2} engine messages per event ({s.Messages:N0})"));
            text.Add(string.Create(CultureInfo.InvariantCulture, $"imbalance max/mean: events {s.EventImbalance:F2}, busy time {s.BusyImbalance:F2}"));
        }

        return text.Count == 0 ? "  (no engine figures)" : "  " + string.Join("; ", text);
    }

    private static void PrintMedians(CliIo io, IReadOnlyList<BenchLayout> layouts, List<RunResult>[] results)
    {
        io.Out.WriteLine("median wall time of each layout (runs interleaved):");
        double? first = null;
        for (int i = 0; i < layouts.Count; i++)
        {
            if (results[i].Count == 0)
            {
                continue;
            }

            var walls = results[i].Select(r => r.WallSeconds).Order().ToArray();
            double median = walls.Length % 2 == 1 ? walls[walls.Length / 2] : (walls[(walls.Length / 2) - 1] + walls[walls.Length / 2]) / 2;
            first ??= median;
            var sample = results[i][0];
            double eventsPerSecond = median > 0 ? (sample.Events - sample.EventsBefore) / median : 0;
            string digests = results.Where(l => l.Count > 0).SelectMany(l => l).Select(r => r.Digest).Distinct().Count() == 1 ? "same digest" : "DIGESTS DIFFER";
            io.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {layouts[i].Name}: {median:F2} s over {walls.Length} runs ({eventsPerSecond:N0} events/s, {first / median:F2}x the first layout; {digests})"));
        }
    }
}
