using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Run;
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
        var every = new Option<string?>("--checkpoint-every") { Description = "Checkpoint every this much simulated time (e.g. 200us, 5ms)." };
        var db = new Option<string?>("--db") { Description = "Checkpoint store: a SQLite file or a PostgreSQL connection string (default <out>/checkpoints.db)." };
        var command = new Command("run", "Run a scenario and write summary.json into the results folder.")
        {
            scenario, outDir, engine, seed, sets, end, partitions, threads, every, db,
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
            AddIf(overrides, "checkpoint.every", parse.GetValue(every), "--checkpoint-every");
            AddIf(overrides, "checkpoint.db", parse.GetValue(db), "--db");

            var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, ReadScenario(path), path, overrides);
            string output = parse.GetValue(outDir) ?? Path.Combine(config.GetString("disco.output.dir"), Path.GetFileNameWithoutExtension(path));
            return await RunNew(io, config, path, output, cancel).ConfigureAwait(false);
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

    /// <summary>Builds the model, runs it (checkpointing if asked), writes the results folder and prints where they are.</summary>
    public static async Task<int> RunNew(CliIo io, SimConfig config, string scenarioName, string output, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(config);
        var model = ModelCatalog.Build(config);
        var settings = RunSettings.From(config);
        var checkpoints = CheckpointSettings.From(config);
        long seed = config.GetLong("disco.seed");
        var folder = new RunFolder(output);
        folder.EnsureNoResumableRun();
        var db = checkpoints.Enabled ? checkpoints.Store(folder, config.SourceOf("disco.checkpoint.db")) : null;

        Directory.CreateDirectory(output);
        db?.Verify(mustHoldRuns: false, config.SourceOf("disco.checkpoint.db"));
        File.WriteAllText(Path.Combine(output, "config.resolved.hocon"), config.ResolvedDiscoText());
        if (config.ScenarioText.Length > 0)
        {
            File.WriteAllText(Path.Combine(output, "scenario.hocon"), config.ScenarioText);
        }

        string? runId = db is null ? null : NewRunId();
        await using var session = RunSession.Open(settings, config.Merged, db, createTables: true, runId);
        if (session.Store is { } store)
        {
            folder.Write(new RunRecord(runId!, RunStatus.Running, db!.Kind.ToString(), scenarioName, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            await store.AppendAsync(new RunManifest(
                runId!, ModelVersion.Model, ModelVersion.Schema, scenarioName, config.ScenarioText, config.ResolvedDiscoText(),
                seed, config.ConfigHash(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }

        var policy = session.Store is { } s ? Policy(checkpoints, s, firstEpoch: 1, startPs: 0) : null;
        return await Execute(io, session, model, settings, policy, folder, scenarioName, seed, config.ConfigHash(), resume: null, startPs: 0, cancel).ConfigureAwait(false);
    }

    public static CheckpointPolicy Policy(CheckpointSettings settings, CheckpointStore store, long firstEpoch, long startPs)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(store);
        return new CheckpointPolicy { Every = settings.Every, WallEvery = settings.WallEvery, Save = store.SaveEpochAsync, FirstEpoch = firstEpoch, StartPs = startPs };
    }

    /// <summary>Runs (a new run or a resumed one), writes summary.json and the run record, prints the outcome.</summary>
    public static async Task<int> Execute(
        CliIo io, RunSession session, Engine.Model.SimulationModel model, RunSettings settings, CheckpointPolicy? policy,
        RunFolder folder, string scenarioName, long seed, string configHash, CheckpointImage? resume, long startPs, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(folder);
        var saved = new List<CheckpointCompleted>();
        var trackedPolicy = policy is null ? null : new CheckpointPolicy
        {
            Every = policy.Every, WallEvery = policy.WallEvery, Save = policy.Save, FirstEpoch = policy.FirstEpoch, StartPs = policy.StartPs,
            Saved = c => { lock (saved) { saved.Add(c); } },
        };

        using var metricsFile = settings.MetricsInterval is null ? null : MetricsWriter.Open(folder.Path, startPs);
        var metrics = metricsFile is null ? null : new MetricsPolicy { Interval = settings.MetricsInterval!.Value, StartPs = startPs, Sample = metricsFile.Sample };
        RunResult result;
        try
        {
            result = await ProgressDisplay.RunAsync(
                io.Interactive,
                model.Name,
                settings.ProgressInterval,
                control => session.ExecuteAsync(model, new RunControl { Stop = control.Stop, Progress = control.Progress, ProgressInterval = control.ProgressInterval, Checkpoints = trackedPolicy, Metrics = metrics }, resume),
                cancel).ConfigureAwait(false);
        }
        catch
        {
            if (folder.Read() is { } failed && saved.Count == 0 && resume is null)
            {
                folder.Write(failed with { Status = RunStatus.Failed });
            }

            throw;
        }

        var summary = RunSummary.Build(result, model.Name, scenarioName, seed, configHash);
        string file = RunSummary.Write(folder.Path, summary);
        if (folder.Read() is { } record)
        {
            folder.Write(record with { Status = result.Stopped ? RunStatus.Stopped : RunStatus.Finished });
        }

        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{model.Name}: {result.Events:N0} events to t={new SimTime(result.SimTimePs)} in {result.WallSeconds:F2} s ({result.EventsPerSecond:N0} events/s, {result.Engine}, {result.Partitions} partitions, {result.Threads} threads); digest {result.DigestHex}"));
        if (saved.Count > 0)
        {
            var last = saved[^1];
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{saved.Count} checkpoints, the last epoch {last.Epoch} at t={new SimTime(last.SimTimePs)} ({last.Bytes:N0} bytes; run paused {last.CaptureSeconds:F3} s to capture it, {last.StoreSeconds:F3} s to store it)"));
        }

        if (result.Stopped)
        {
            io.Out.WriteLine(saved.Count > 0
                ? $"stopped on request; resume with: disco resume {folder.Path}"
                : $"stopped on request (no checkpoint: run with --checkpoint-every to be able to resume); partial results in {file}");
        }
        else
        {
            io.Out.WriteLine($"results in {file}");
        }

        return DiscoCli.Ok;
    }

    private static string NewRunId() =>
        DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}
