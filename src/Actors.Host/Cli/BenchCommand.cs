using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary><c>disco bench phold</c>: the engine's standard benchmark, with PHOLD's parameters as options.</summary>
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
        var engine = new Option<string?>("--engine") { Description = "actors (default) or sequential." };
        var partitions = new Option<string?>("--partitions") { Description = "Partition actors: auto (default: one per thread, contiguous LPs), 0 (one actor per LP) or K." };
        var threads = new Option<int?>("--threads") { Description = "Dispatcher threads (0: one per core)." };
        var executor = new Option<string?>("--executor") { Description = "spinning (default), fork-join or thread-pool." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (default 1)." };
        var outDir = new Option<string?>("--out") { Description = "Where summary.json goes (default runs/bench-phold)." };
        var phold = new Command("phold", "PHOLD (PHOLD.md): prints one line and writes summary.json.")
        {
            lps, end, population, mean, lookahead, remote, engine, partitions, threads, executor, seed, outDir,
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
            RunCommand.AddIf(o, "engine.kind", parse.GetValue(engine), "--engine");
            RunCommand.AddIf(o, "engine.partitions", parse.GetValue(partitions), "--partitions");
            RunCommand.AddIf(o, "engine.threads", Text(parse.GetValue(threads)), "--threads");
            RunCommand.AddIf(o, "engine.executor", parse.GetValue(executor), "--executor");
            RunCommand.AddIf(o, "seed", Text(parse.GetValue(seed)), "--seed");
            var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, null, "bench phold", o);
            string output = parse.GetValue(outDir) ?? Path.Combine(config.GetString("disco.output.dir"), "bench-phold");
            return await RunCommand.RunNew(io, config, "bench phold", output, cluster: null, cancel).ConfigureAwait(false);
        });

        return new Command("bench", "Benchmarks of the engine.") { phold };
    }

    private static string? Text(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture);
}
