using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Time;
using Disco.Actors.Host.Probe;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// <c>disco probe order &lt;scenario&gt;</c>: runs a scenario under the canonical tie order and N-1 seeded ones (separate
/// processes, in parallel), compares every component's state hash at samples along the runs and every summary
/// figure, and writes order-report.md and order-report.json. The first divergence is then narrowed by running the
/// canonical and the diverging order again up to it, sampling 32 times finer between the last equal sample and the
/// first different one (twice).
/// </summary>
internal static class ProbeCommand
{
    private const int RefineRounds = 2;
    private const int RefineFactor = 32;
    private const int SamplesPerRun = 50;

    public static Command Create(CliIo io)
    {
        var scenario = new Argument<string>("scenario") { Description = "Scenario file (HOCON)." };
        var runs = new Option<int>("--runs") { Description = "Orders to run: the canonical one and N-1 seeded ones (default 8).", DefaultValueFactory = _ => 8 };
        var jobs = new Option<int?>("--jobs") { Description = "Runs at once (default: one per core)." };
        var outDir = new Option<string?>("--out") { Description = "Folder for the runs and the report (default <disco.output.dir>/<scenario>-order-probe)." };
        var every = new Option<string?>("--sample-every") { Description = "Simulated time between state samples (default: the end time / 50, or 5ms when the model decides its end)." };
        var sets = new Option<string[]>("--set") { Description = "Override a key under disco (passed to every run). Repeatable." };
        var end = new Option<string?>("--end") { Description = "End of simulated time, with a unit." };
        var seed = new Option<long?>("--seed") { Description = "Run seed." };
        var order = new Command("order", "Run a scenario under several tie orders and report whether, how much and from where its results depend on the order of simultaneous messages.")
        {
            scenario, runs, jobs, outDir, every, sets, end, seed,
        };
        order.SetAction(async (parse, cancel) =>
        {
            string path = parse.GetValue(scenario)!;
            int n = parse.GetValue(runs);
            if (n < 2)
            {
                throw new BadInputException("--runs", $"must be at least 2 (the canonical order and one other; got {n})");
            }

            int j = parse.GetValue(jobs) ?? Environment.ProcessorCount;
            if (j < 1)
            {
                throw new BadInputException("--jobs", $"must be at least 1 (got {j})");
            }

            var passed = new List<string>();
            foreach (string s in parse.GetValue(sets) ?? [])
            {
                passed.AddRange(["--set", s]);
            }

            if (parse.GetValue(end) is { } e)
            {
                passed.AddRange(["--end", e]);
            }

            if (parse.GetValue(seed) is { } sd)
            {
                passed.AddRange(["--seed", sd.ToString(CultureInfo.InvariantCulture)]);
            }

            // Read and build once here: a bad scenario or value stops the probe before any run starts.
            var overrides = (parse.GetValue(sets) ?? []).Select(ConfigOverride.FromSet).ToList();
            RunCommand.AddIf(overrides, "end", parse.GetValue(end), "--end");
            var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, RunCommand.ReadScenario(path), path, overrides);
            var model = ModelCatalog.Build(config);
            long samplePs = SampleInterval(parse.GetValue(every), model.End);
            string dir = parse.GetValue(outDir) ?? Path.Combine(config.GetString("disco.output.dir"), Path.GetFileNameWithoutExtension(path) + "-order-probe");
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            {
                throw new BadInputException(dir, "the output folder is not empty (a previous probe?): give another --out");
            }

            Directory.CreateDirectory(dir);
            string[] orders = ["canonical", .. Enumerable.Range(1, n - 1).Select(k => $"seeded:{k}")];
            var jobsList = orders.Select(o => (o, Args(path, Folder(dir, o), o, samplePs, 0, passed), Folder(dir, o))).ToList();
            await ChildRuns.RunAll(jobsList, j, cancel).ConfigureAwait(false);
            var loaded = orders.Select(o => OrderRunFolder.Load(o, Folder(dir, o))).ToList();
            var analysis = OrderProbeAnalysis.Analyze(loaded);
            var refinements = await Refine(dir, path, passed, analysis.FirstDivergence, j, cancel).ConfigureAwait(false);
            string command = "disco " + string.Join(' ', parse.Tokens.Select(t => t.Value));
            OrderProbeReport.Write(dir, path, command.Trim(), analysis, refinements);
            io.Out.WriteLine(analysis.OrderDependent
                ? $"order-dependent: {analysis.FinalStatesDiffering} of {analysis.ComponentsCompared} components end differently, {analysis.Figures.Count(f => f.Varies)} figures vary; report in {Path.Combine(dir, "order-report.md")}"
                : $"order-independent over {n} orders ({analysis.DistinctDigests} distinct digests); report in {Path.Combine(dir, "order-report.md")}");
            return DiscoCli.Ok;
        });
        return new Command("probe", "Probe how a model's results depend on the engine's choices.") { order };
    }

    private static string Folder(string dir, string order) => Path.Combine(dir, order.Replace(':', '-'));

    private static long SampleInterval(string? text, SimTime end)
    {
        if (text is not null)
        {
            return SimTime.TryParse(text, out var t) && t.Ps > 0 ? t.Ps : throw new BadInputException("--sample-every", $"'{text}' is not a positive simulated time (e.g. 100us)");
        }

        return end.IsInfinite ? SimTime.FromMs(5).Ps : Math.Max(1, end.Ps / SamplesPerRun);
    }

    private static string[] Args(string scenario, string folder, string order, long samplePs, long fromPs, List<string> passed) =>
    [
        "run", scenario, "--out", folder, "--tie-order", order, "--engine", "sequential",
        "--set", $"output.metrics-interval={samplePs}ps", "--set", "output.state-hashes=true", "--set", $"output.metrics-from={fromPs}ps",
        "--set", "output.progress-interval=off", .. passed,
    ];

    /// <summary>Narrows the first divergence: the canonical and the diverging order again, sampled finer in the interval.</summary>
    private static async Task<List<Divergence>> Refine(string dir, string scenario, List<string> passed, Divergence? first, int jobs, CancellationToken cancel)
    {
        var found = new List<Divergence>();
        var d = first;
        for (int round = 1; round <= RefineRounds && d is not null && d.ByPs != Output.StateHashWriter.FinalPs && d.ByPs - d.AfterPs > 1; round++)
        {
            long fine = Math.Max(1, (d.ByPs - d.AfterPs) / RefineFactor);
            string endText = $"{d.ByPs + fine}ps";
            var args = new List<string>(passed.Where((a, i) => a != "--end" && (i == 0 || passed[i - 1] != "--end"))) { "--end", endText };
            string roundDir = Path.Combine(dir, $"refine-{round}");
            string[] pair = ["canonical", d.Order];
            await ChildRuns.RunAll([.. pair.Select(o => (o, Args(scenario, Folder(roundDir, o), o, fine, d.AfterPs, args), Folder(roundDir, o)))], jobs, cancel).ConfigureAwait(false);
            var next = OrderProbeAnalysis.FirstDifference(OrderRunFolder.Load(pair[0], Folder(roundDir, pair[0])), OrderRunFolder.Load(pair[1], Folder(roundDir, pair[1])));
            if (next is null || next.ByPs == Output.StateHashWriter.FinalPs)
            {
                break;
            }

            d = next with { AfterPs = Math.Max(next.AfterPs, d.AfterPs) };
            found.Add(d);
        }

        return found;
    }
}
