using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Host.Cluster;
using Disco.Actors.Host.Output;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary><c>disco run &lt;scenario.hocon&gt;</c>: one simulation, results in a folder.</summary>
internal static class RunCommand
{
    public static Command Create(CliIo io, Func<System.CommandLine.ParseResult, ClusterOptions?>? cluster = null)
    {
        var scenario = new Argument<string>("scenario") { Description = "Scenario file (HOCON), e.g. scenarios/phold.hocon." };
        var outDir = new Option<string?>("--out") { Description = "Results folder (default: <disco.output.dir>/<scenario name>)." };
        var engine = new Option<string?>("--engine") { Description = "actors (default) or sequential." };
        var seed = new Option<long?>("--seed") { Description = "Run seed (disco.seed)." };
        var sets = new Option<string[]>("--set") { Description = "Override a key under disco, e.g. --set phold.end=4000. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var end = new Option<string?>("--end") { Description = "End of simulated time, with a unit (e.g. 500us, 2s)." };
        var partitions = new Option<string?>("--partitions") { Description = "Partition actors: auto (default: one per thread, each a contiguous range of nodes or LPs), 0 (one actor per component) or K." };
        var threads = new Option<int?>("--threads") { Description = "Dispatcher threads (0: one per core)." };
        var every = new Option<string?>("--checkpoint-every") { Description = "Checkpoint every this much simulated time (e.g. 200us, 5ms)." };
        var db = new Option<string?>("--db") { Description = "Checkpoint store: a SQLite file or a PostgreSQL connection string (default <out>/checkpoints.db)." };
        var trace = new Option<string?>("--trace-messages") { Description = "Record every handled message in this file (see disco trace export)." };
        var traceComponents = new Option<string?>("--trace-components") { Description = "Trace only messages received by these, comma-separated: a kind (hw.directory) or kind#id." };
        var traceFrom = new Option<string?>("--trace-from") { Description = "Trace messages handled from this simulated time (e.g. 2ms)." };
        var traceTo = new Option<string?>("--trace-to") { Description = "Trace messages handled before this simulated time." };
        var tieOrder = new Option<string?>("--tie-order") { Description = "Order of same-time messages at a component: canonical (default), reverse, seeded:K, arrival (not reproducible)." };
        var command = new Command("run", "Run a scenario and write summary.json into the results folder.")
        {
            scenario, outDir, engine, seed, sets, end, partitions, threads, every, db, tieOrder, trace, traceComponents, traceFrom, traceTo,
        };

        command.SetAction(async (parse, cancel) =>
        {
            string path = parse.GetValue(scenario)!;
            var overrides = new List<ConfigOverride>();
            overrides.AddRange((parse.GetValue(sets) ?? []).Select(ConfigOverride.FromSet));
            AddIf(overrides, "engine.kind", parse.GetValue(engine), "--engine");
            AddIf(overrides, "seed", parse.GetValue(seed)?.ToString(CultureInfo.InvariantCulture), "--seed");
            AddIf(overrides, "end", parse.GetValue(end), "--end");
            AddIf(overrides, "engine.partitions", parse.GetValue(partitions), "--partitions");
            AddIf(overrides, "engine.threads", parse.GetValue(threads)?.ToString(CultureInfo.InvariantCulture), "--threads");
            AddIf(overrides, "checkpoint.every", parse.GetValue(every), "--checkpoint-every");
            AddIf(overrides, "checkpoint.db", parse.GetValue(db), "--db");
            AddIf(overrides, "engine.tie-order", parse.GetValue(tieOrder), "--tie-order");
            AddIf(overrides, "output.trace.messages", parse.GetValue(trace), "--trace-messages");
            AddIf(overrides, "output.trace.components", parse.GetValue(traceComponents), "--trace-components");
            AddIf(overrides, "output.trace.from", parse.GetValue(traceFrom), "--trace-from");
            AddIf(overrides, "output.trace.to", parse.GetValue(traceTo), "--trace-to");

            var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, ReadScenario(path), path, overrides);
            string output = parse.GetValue(outDir) ?? Path.Combine(config.GetString("disco.output.dir"), Path.GetFileNameWithoutExtension(path));
            return await RunNew(io, config, path, output, cluster?.Invoke(parse), cancel).ConfigureAwait(false);
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

    /// <summary>Validates a new run, prepares its folder and store, runs it and writes the results.</summary>
    /// <param name="onResult">Called with the result once it is printed (benchmarks add their figures).</param>
    public static async Task<int> RunNew(CliIo io, SimConfig config, string scenarioName, string output, ClusterOptions? cluster, CancellationToken cancel, Action<RunResult>? onResult = null)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(config);
        var model = ModelCatalog.Build(config);
        var settings = RunSettings.From(config, cluster is not null);
        var checkpoints = CheckpointSettings.From(config);
        long seed = config.GetLong("disco.seed");
        var folder = new RunFolder(output);
        string dbSource = config.SourceOf("disco.checkpoint.db");
        var db = checkpoints.Enabled ? checkpoints.Store(folder, dbSource) : null;
        if (TraceSettings.From(config, model) is not null && cluster is not null)
        {
            throw config.Error("disco.output.trace.messages", "a cluster run cannot trace messages (its partitions run in other processes): trace a one-process run of the same scenario, it handles the same messages");
        }

        if (!model.TieOrder.Reproducible && checkpoints.Enabled)
        {
            throw config.Error("disco.engine.tie-order", "arrival order is not reproducible, so a run under it cannot take checkpoints (resume would not give its result): drop checkpoint.every");
        }

        // The folder is taken before anything in it is read or written: a live run here refuses this one.
        using var owner = RunOwnership.Acquire(folder, null, null);
        folder.EnsureNoResumableRun(db, io.Err);
        if (cluster is not null && db is { Kind: CheckpointDbKind.Sqlite })
        {
            throw new BadInputException("--db", "a cluster run keeps its checkpoints where every process reaches them: give a PostgreSQL connection string");
        }

        Directory.CreateDirectory(output);
        db?.Verify(mustHoldRuns: false, dbSource);
        File.WriteAllText(Path.Combine(output, "config.resolved.hocon"), config.ResolvedDiscoText());
        if (config.ScenarioText.Length > 0)
        {
            File.WriteAllText(Path.Combine(output, "scenario.hocon"), config.ScenarioText);
        }

        string? runId = db is null ? null : NewRunId();
        await using var session = RunSession.Open(settings, config.Merged, db, createTables: true, runId, cluster, io.Err);
        if (session.Store is { } store)
        {
            folder.Write(new RunRecord(runId!, RunStatus.Running, db!.Kind.ToString(), scenarioName, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            await store.AppendAsync(new RunManifest(
                runId!, ModelVersion.Model, ModelVersion.Schema, scenarioName, config.ScenarioText, config.ResolvedDiscoText(),
                seed, config.ConfigHash(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false);
        }

        var plan = new RunPlan(config, model, settings, checkpoints, folder, scenarioName, seed, config.ConfigHash(), null, null, 1, owner);
        return await Execute(io, session, plan, cluster?.AutoResume ?? false, cancel, onResult).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a plan (new or resumed), writes summary.json and the run record, prints the outcome. In a cluster run
    /// with auto-resume, a lost worker restarts the run from the last completed epoch once enough workers are up.
    /// </summary>
    public static async Task<int> Execute(CliIo io, RunSession session, RunPlan plan, bool autoResume, CancellationToken cancel, Action<RunResult>? onResult = null)
    {
        ArgumentNullException.ThrowIfNull(io);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(plan);
        var saved = new List<CheckpointCompleted>();
        RunResult result;
        while (true)
        {
            try
            {
                result = await Attempt(io, session, plan, saved, cancel).ConfigureAwait(false);
                break;
            }
            catch (ClusterMemberLostException lost) when (autoResume && session.Store is not null)
            {
                var journal = await session.Store.ReadJournalAsync().ConfigureAwait(false);
                if (journal.Completed.Count == 0)
                {
                    io.Err.WriteLine($"disco: {lost.Message}; no completed checkpoint yet, so nothing to resume from");
                    throw;
                }

                var epoch = journal.Completed[^1];
                io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"disco: {lost.Message}; resuming from epoch {epoch.Epoch} (t={new SimTime(epoch.SimTimePs)}) once enough workers are up"));
                var model = ModelCatalog.Build(plan.Config);
                var image = await session.Store.LoadEpochAsync(epoch, model).ConfigureAwait(false);
                image.LoadInto(model);
                plan = plan with { Model = model, Resume = image, ResumeEpoch = epoch, FirstEpoch = journal.NextEpoch };
            }
            catch
            {
                if (plan.Folder.Read() is { } failed && saved.Count == 0 && plan.Resume is null)
                {
                    plan.Folder.Write(failed with { Status = RunStatus.Failed });
                }

                throw;
            }
        }

        var summary = RunSummary.Build(result, plan.Model.Name, plan.ScenarioName, plan.Seed, plan.ConfigHash, plan.Model.TieOrder);
        string file = RunSummary.Write(plan.Folder.Path, summary);
        if (plan.Folder.Read() is { } record)
        {
            plan.Folder.Write(record with { Status = result.Stopped ? RunStatus.Stopped : RunStatus.Finished });
        }

        io.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{plan.Model.Name}: {result.Events:N0} events to t={new SimTime(result.SimTimePs)} in {result.WallSeconds:F2} s ({result.EventsPerSecond:N0} events/s, {result.Engine}, {result.Partitions} partitions, {result.Threads} threads); digest {result.DigestHex}"));
        onResult?.Invoke(result);
        if (saved.Count > 0)
        {
            var last = saved[^1];
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{saved.Count} checkpoints, the last epoch {last.Epoch} at t={new SimTime(last.SimTimePs)} ({last.Bytes:N0} bytes; run paused {last.CaptureSeconds:F3} s to capture it, {last.StoreSeconds:F3} s to store it)"));
        }

        if (result.Stopped)
        {
            io.Out.WriteLine(saved.Count > 0
                ? $"stopped on request; resume with: disco resume {plan.Folder.Path}"
                : $"stopped on request (no checkpoint: run with --checkpoint-every to be able to resume); partial results in {file}");
        }
        else
        {
            io.Out.WriteLine($"results in {file}");
        }

        return DiscoCli.Ok;
    }

    private static async Task<RunResult> Attempt(CliIo io, RunSession session, RunPlan plan, List<CheckpointCompleted> saved, CancellationToken cancel)
    {
        var policy = session.Store is { } store && plan.Checkpoints.Enabled
            ? new CheckpointPolicy
            {
                Every = plan.Checkpoints.Every, WallEvery = plan.Checkpoints.WallEvery, Save = c =>
                {
                    plan.Owner?.EnsureStillOwner();
                    return store.SaveEpochAsync(c);
                },
                FirstEpoch = plan.FirstEpoch, StartPs = plan.StartPs, Saved = c => { lock (saved) { saved.Add(c); } },
            }
            : null;
        using var metricsFile = plan.Settings.MetricsInterval is null ? null : MetricsWriter.Open(plan.Folder.Path, plan.StartPs);
        using var trace = TraceSettings.From(plan.Config, plan.Model)?.Open(plan.Config, plan.Model);
        using var hashFile = plan.Settings.StateHashes ? StateHashWriter.Open(plan.Folder.Path, plan.StartPs) : null;
        var metrics = metricsFile is null ? null : new MetricsPolicy
        {
            Interval = plan.Settings.MetricsInterval!.Value,
            StartPs = Math.Max(plan.StartPs, plan.Settings.MetricsFromPs),
            StateHashes = hashFile is not null,
            Sample = (t, reports) =>
            {
                metricsFile.Sample(t, reports);
                hashFile?.Sample(t, reports);
            },
        };
        try
        {
            var result = await ProgressDisplay.RunAsync(
                io.Interactive,
                plan.Model.Name,
                plan.Settings.ProgressInterval,
                control => session.ExecuteAsync(
                    plan.Model,
                    new RunControl { Stop = control.Stop, Progress = control.Progress, ProgressInterval = control.ProgressInterval, Checkpoints = policy, Metrics = metrics, Trace = trace },
                    plan.Resume,
                    plan.Config.ResolvedDiscoText(),
                    plan.ResumeEpoch),
                cancel).ConfigureAwait(false);
            if (!result.Stopped)
            {
                hashFile?.Final(result.Components);
            }

            return result;
        }
        catch (CorruptStateException ex)
        {
            throw new BadInputException(plan.Folder.Path, "a checkpoint cannot be used: " + ex.Message);
        }
    }

    private static string NewRunId() =>
        DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}
