using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.Time;
using Disco.Actors.Host.Output;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary><c>disco run &lt;scenario.hocon&gt;</c>: one simulation, results in a folder.</summary>
internal static class RunCommand
{
    public static Command Create(CliIo io)
    {
        var scenario = new Argument<string>("scenario") { Description = "Scenario file (HOCON), e.g. scenarios/phold.hocon." };
        var outDir = new Option<string?>("--out") { Description = "Results folder (default: <disco.output.dir>/<scenario name>)." };
        var engine = new Option<string?>("--engine") { Description = "actors (default) or sequential." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (disco.seed)." };
        var sets = new Option<string[]>("--set") { Description = "Override a key under disco, e.g. --set phold.end=4000. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var end = new Option<string?>("--end") { Description = "End of simulated time, with a unit (e.g. 500us, 2s)." };
        var partitions = new Option<int?>("--partitions") { Description = "Partition actors (0: one actor per component)." };
        var threads = new Option<int?>("--threads") { Description = "Dispatcher threads (0: one per core)." };
        var command = new Command("run", "Run a scenario and write summary.json into the results folder.")
        {
            scenario, outDir, engine, seed, sets, end, partitions, threads,
        };

        command.SetAction(async (parse, cancel) =>
        {
            string path = parse.GetValue(scenario)!;
            var overrides = new List<ConfigOverride>();
            overrides.AddRange((parse.GetValue(sets) ?? []).Select(ConfigOverride.FromSet));
            AddIf(overrides, "engine.kind", parse.GetValue(engine), "--engine");
            AddIf(overrides, "seed", parse.GetValue(seed)?.ToString(CultureInfo.InvariantCulture), "--seed");
            AddIf(overrides, "end", parse.GetValue(end), "--end");
            AddIf(overrides, "engine.partitions", parse.GetValue(partitions)?.ToString(CultureInfo.InvariantCulture), "--partitions");
            AddIf(overrides, "engine.threads", parse.GetValue(threads)?.ToString(CultureInfo.InvariantCulture), "--threads");

            var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, ReadScenario(path), path, overrides);
            string output = parse.GetValue(outDir) ?? Path.Combine(config.GetString("disco.output.dir"), Path.GetFileNameWithoutExtension(path));
            return await RunOnce(io, config, path, output, cancel).ConfigureAwait(false);
        });
        return command;
    }

    public static string ReadScenario(string path)
    {
        if (!File.Exists(path))
        {
            throw new BadInputException(path, "scenario file not found");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException(path, "cannot read the scenario file: " + ex.Message);
        }
    }

    public static void AddIf(List<ConfigOverride> overrides, string key, string? value, string source)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        if (value is not null)
        {
            overrides.Add(new ConfigOverride(key, value, source));
        }
    }

    /// <summary>Builds the model, runs it, writes the results folder and prints where they are.</summary>
    public static async Task<int> RunOnce(CliIo io, SimConfig config, string scenarioName, string output, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(config);
        var model = ModelCatalog.Build(config);
        var settings = RunSettings.From(config);
        long seed = config.GetLong("disco.seed");

        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "config.resolved.hocon"), config.ResolvedDiscoText());
        if (config.ScenarioText.Length > 0)
        {
            File.WriteAllText(Path.Combine(output, "scenario.hocon"), config.ScenarioText);
        }

        var result = await ProgressDisplay.RunAsync(
            io.Interactive,
            model.Name,
            settings.ProgressInterval,
            control => RunExecutor.ExecuteAsync(model, settings, config.Merged, control),
            cancel).ConfigureAwait(false);

        var summary = RunSummary.Build(result, model.Name, scenarioName, seed, config.ConfigHash());
        string file = RunSummary.Write(output, summary);
        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{model.Name}: {result.Events:N0} events to t={new SimTime(result.SimTimePs)} in {result.WallSeconds:F2} s ({result.EventsPerSecond:N0} events/s, {result.Engine}, {result.Partitions} partitions, {result.Threads} threads); digest {Digest.ToHex(result.Digest)}"));
        io.Out.WriteLine(result.Stopped ? $"stopped early on request; results in {file}" : $"results in {file}");
        return DiscoCli.Ok;
    }
}
