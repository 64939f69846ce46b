using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// <c>disco bench phold</c>: the engine's standard benchmark, with PHOLD's parameters as options; <c>disco bench
/// guest &lt;scenario&gt;</c>: a scenario of the model itself. Both take lists of layouts and repeat them interleaved.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliIo io)
    {
        var lps = new Option<int?>("--lps") { Description = "N: logical processes (default 1024)." };
        var end = new Option<double?>("--end") { Description = "END in PHOLD units, 1.0 = 1 us (default 1000)." };
        var population = new Option<int?>("--population") { Description = "P: initial events per LP (default 16)." };
        var mean = new Option<double?>("--mean") { Description = "M: mean of the exponential delay (default 1.0)." };
        var lookahead = new Option<double?>("--lookahead") { Description = "L: minimum delay between LPs (default 0.1)." };
        var remote = new Option<double?>("--remote") { Description = "R: probability of a remote event (default 0.9)." };
        var engine = EngineOption();
        var partitions = new Option<string?>("--partitions") { Description = "Partition actors: auto (default: one per thread, contiguous LPs), 0 (one actor per LP) or K; a comma-separated list runs each." };
        var threads = ThreadsOption();
        var repeat = RepeatOption();
        var executor = new Option<string?>("--executor") { Description = "spinning (default), fork-join or thread-pool." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (default 1)." };
        var outDir = new Option<string?>("--out") { Description = "Where summary.json goes (default runs/bench-phold)." };
        var phold = new Command("phold", "PHOLD (PHOLD.md): prints one line and writes summary.json.")
        {
            lps, end, population, mean, lookahead, remote, engine, partitions, threads, executor, seed, outDir, repeat,
        };

        phold.SetAction(async (parse, cancel) =>
        {
            var o = new List<ConfigOverride> { new("model", "phold", "bench phold") };
            RunCommand.AddIf(o, "phold.lps", Text(parse.GetValue(lps)), "--lps");
            RunCommand.AddIf(o, "phold.end", Text(parse.GetValue(end)), "--end");
            RunCommand.AddIf(o, "phold.population", Text(parse.GetValue(population)), "--population");
            RunCommand.AddIf(o, "phold.mean", Text(parse.GetValue(mean)), "--mean");
            RunCommand.AddIf(o, "phold.lookahead", Text(parse.GetValue(lookahead)), "--lookahead");
            RunCommand.AddIf(o, "phold.remote", Text(parse.GetValue(remote)), "--remote");
            RunCommand.AddIf(o, "engine.executor", parse.GetValue(executor), "--executor");
            RunCommand.AddIf(o, "seed", Text(parse.GetValue(seed)), "--seed");
            var layouts = BenchLayout.Expand(parse.GetValue(engine), parse.GetValue(partitions), parse.GetValue(threads));
            return await BenchRunner.RunAsync(io, null, "bench phold", o, layouts, parse.GetValue(repeat) ?? 1, parse.GetValue(outDir), "bench-phold", cancel).ConfigureAwait(false);
        });

        return new Command("bench", "Benchmarks of the engine and of the model.") { phold, Guest(io) };
    }

    private static Command Guest(CliIo io)
    {
        var scenario = new Argument<string>("scenario") { Description = "Scenario file (HOCON), e.g. scenarios/scaling-pmake-8vm.hocon." };
        var end = new Option<string?>("--end") { Description = "End of simulated time, with a unit (e.g. 100ms)." };
        var sets = new Option<string[]>("--set") { Description = "Override a key under disco (a speed run keeps the model's settings). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var engine = EngineOption();
        var partitions = new Option<string?>("--partitions") { Description = "Partition actors: auto (default: one per thread, whole nodes), 0 (one actor per component) or K; a comma-separated list runs each." };
        var threads = ThreadsOption();
        var repeat = RepeatOption();
        var seed = new Option<long?>("--seed") { Description = "Run seed (disco.seed)." };
        var outDir = new Option<string?>("--out") { Description = "Where summary.json goes (default runs/bench-guest/<scenario name>)." };
        var guest = new Command("guest", "A scenario of the model: per layout, events/s, simulated instructions per second, windows, barrier share, imbalance.")
        {
            scenario, end, sets, engine, partitions, threads, repeat, seed, outDir,
        };

        guest.SetAction(async (parse, cancel) =>
        {
            string path = parse.GetValue(scenario)!;
            var o = new List<ConfigOverride>();
            o.AddRange((parse.GetValue(sets) ?? []).Select(ConfigOverride.FromSet));
            RunCommand.AddIf(o, "end", parse.GetValue(end), "--end");
            RunCommand.AddIf(o, "seed", Text(parse.GetValue(seed)), "--seed");
            var layouts = BenchLayout.Expand(parse.GetValue(engine), parse.GetValue(partitions), parse.GetValue(threads));
            string text = RunCommand.ReadScenario(path);
            string subdir = Path.Combine("bench-guest", Path.GetFileNameWithoutExtension(path));
            return await BenchRunner.RunAsync(io, text, path, o, layouts, parse.GetValue(repeat) ?? 1, parse.GetValue(outDir), subdir, cancel).ConfigureAwait(false);
        });
        return guest;
    }

    private static Option<string?> EngineOption() =>
        new("--engine") { Description = "actors (default) or sequential; a comma-separated list runs each (e.g. sequential,actors)." };

    private static Option<string?> ThreadsOption() =>
        new("--threads") { Description = "Dispatcher threads (0: one per core); a comma-separated list runs each." };

    private static Option<int?> RepeatOption() =>
        new("--repeat") { Description = "Run every layout this many times, interleaved, and print each layout's median (default 1)." };

    private static string? Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture);
}
