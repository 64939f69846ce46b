using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// <c>disco resume &lt;DIR&gt;</c> continues a run from a completed checkpoint and <c>disco checkpoints &lt;DIR&gt;</c>
/// lists them. Both read the store without changing it until the resumed run takes its own checkpoints.
/// </summary>
internal static class ResumeCommand
{
    public static Command CreateResume(CliIo io, Func<System.CommandLine.ParseResult, Cluster.ClusterOptions?>? cluster = null)
    {
        var dir = new Argument<string>("dir") { Description = "The run's results folder (it holds run.json)." };
        var epoch = new Option<long?>("--epoch") { Description = "Checkpoint to resume from (default: the last completed one)." };
        var db = new Option<string?>("--db") { Description = "The checkpoint store when it is not <dir>/checkpoints.db (PostgreSQL runs)." };
        var engine = new Option<string?>("--engine") { Description = "actors or sequential (default: as configured for the run)." };
        var partitions = new Option<string?>("--partitions") { Description = "Partition actors for the resumed run (auto, 0: one per component, or K; may differ from the original)." };
        var threads = new Option<int?>("--threads") { Description = "Dispatcher threads." };
        var command = new Command("resume", "Resume a run from its last (or a chosen) completed checkpoint.") { dir, epoch, db, engine, partitions, threads };
        command.SetAction(async (parse, cancel) =>
        {
            var layout = new List<ConfigOverride>();
            RunCommand.AddIf(layout, "engine.kind", parse.GetValue(engine), "--engine");
            RunCommand.AddIf(layout, "engine.partitions", parse.GetValue(partitions), "--partitions");
            RunCommand.AddIf(layout, "engine.threads", parse.GetValue(threads)?.ToString(CultureInfo.InvariantCulture), "--threads");
            return await Resume(io, parse.GetValue(dir)!, parse.GetValue(epoch), parse.GetValue(db), layout, cluster?.Invoke(parse), cancel).ConfigureAwait(false);
        });
        return command;
    }

    public static Command CreateList(CliIo io)
    {
        var dir = new Argument<string>("dir") { Description = "The run's results folder (it holds run.json)." };
        var db = new Option<string?>("--db") { Description = "The checkpoint store when it is not <dir>/checkpoints.db." };
        var verify = new Option<bool>("--verify") { Description = "Read every epoch back and check its checksums (exit 2 if one is damaged)." };
        var command = new Command("checkpoints", "List a run's completed checkpoints: epoch, simulated time, wall time, size.") { dir, db, verify };
        command.SetAction(async parse =>
        {
            bool check = parse.GetValue(verify);
            var (folder, record, store) = Locate(parse.GetValue(dir)!, parse.GetValue(db));
            var settings = new RunSettings(RunSettings.Sequential, new Engine.Actors.ActorEngineOptions { Threads = 1 }, null);
            await using var session = RunSession.Open(settings, Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING"), store, createTables: false, record.RunId);
            var journal = await session.Store!.ReadJournalAsync().ConfigureAwait(false);
            io.Out.WriteLine($"run {record.RunId} ({record.Status.ToString().ToLowerInvariant()}), scenario {journal.Manifest?.ScenarioName}, store {store.Display}");
            io.Out.WriteLine($"{"epoch",6} {"sim time",14} {"wall time (UTC)",20} {"bytes",14} {"events",16} {"capture s",9} {"store s",8}{(check ? "  check" : "")}");
            var damaged = new List<(long Epoch, string Why)>();
            foreach (var c in journal.Completed)
            {
                string wall = DateTimeOffset.FromUnixTimeMilliseconds(c.WallUnixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                string? damage = check ? await session.Store.VerifyEpochAsync(c).ConfigureAwait(false) : null;
                if (damage is not null)
                {
                    damaged.Add((c.Epoch, damage));
                }

                string mark = !check ? "" : damage is null ? "  ok" : "  DAMAGED";
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Epoch,6} {new Engine.Time.SimTime(c.SimTimePs),14} {wall,20} {c.Bytes,14:N0} {c.Events,16:N0} {c.CaptureSeconds,9:F3} {c.StoreSeconds,8:F3}{mark}"));
            }

            if (journal.Completed.Count == 0)
            {
                io.Out.WriteLine("(no completed checkpoint)");
            }

            if (damaged.Count > 0)
            {
                throw new BadInputException(
                    store.Display,
                    $"{damaged.Count} of {journal.Completed.Count} checkpoints damaged: {string.Join("; ", damaged.Select(d => d.Why))}");
            }

            return DiscoCli.Ok;
        });
        return command;
    }

    private static (RunFolder Folder, RunRecord Record, CheckpointDb Store) Locate(string dir, string? db)
    {
        var folder = new RunFolder(dir);
        if (!Directory.Exists(dir))
        {
            throw new BadInputException(dir, "no such run folder");
        }

        var record = folder.Read() ?? throw new BadInputException(dir, "no run.json here: this folder holds no run with checkpoints");
        CheckpointDb store;
        if (db is not null)
        {
            store = CheckpointDb.Parse(db);
        }
        else if (record.Store == nameof(CheckpointDbKind.PostgreSql))
        {
            throw new BadInputException("--db", $"run {record.RunId} keeps its checkpoints in PostgreSQL: give its connection string with --db");
        }
        else
        {
            store = CheckpointDb.Sqlite(folder.DefaultDb);
        }

        try
        {
            store.Verify(mustHoldRuns: true, db is null ? folder.DefaultDb : "--db");
        }
        catch (BadInputException) when (db is null && record.Resumable && store.IsEmptySqlite())
        {
            throw NothingToResume(folder, record);
        }

        return (folder, record, store);
    }

    private static BadInputException NothingToResume(RunFolder folder, RunRecord record) =>
        new(folder.Path, $"run {record.RunId} was stopped before its first checkpoint completed: there is nothing to resume; start it again with `disco run {record.Scenario} --out {folder.Path}` (same options)");

    private static async Task<int> Resume(CliIo io, string dir, long? epochNumber, string? db, List<ConfigOverride> layout, Cluster.ClusterOptions? cluster, CancellationToken cancel)
    {
        var (folder, record, storeDb) = Locate(dir, db);
        // Taken before the store is read for resuming: a second process on this run is refused before it writes.
        using var owner = RunOwnership.Acquire(folder, storeDb, record.RunId);
        if (cluster is not null && storeDb.Kind != CheckpointDbKind.PostgreSql)
        {
            throw new BadInputException("--db", "a cluster resume needs the run's checkpoints in PostgreSQL, where every worker reaches them");
        }

        var readSettings = new RunSettings(RunSettings.Sequential, new Engine.Actors.ActorEngineOptions { Threads = 1 }, null);
        RunManifest manifest;
        CheckpointCompleted epoch;
        long nextEpoch;
        await using (var reader = RunSession.Open(readSettings, Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING"), storeDb, createTables: false, record.RunId))
        {
            var journal = await reader.Store!.ReadJournalAsync().ConfigureAwait(false);
            manifest = journal.Manifest ?? throw (record.Resumable ? NothingToResume(folder, record) : new BadInputException(storeDb.Display, $"holds no run {record.RunId}"));
            if (manifest.ModelVersion != ModelVersion.Model || manifest.SchemaVersion != ModelVersion.Schema)
            {
                throw new BadInputException(
                    storeDb.Display,
                    $"run {record.RunId} was written by model {manifest.ModelVersion} schema {manifest.SchemaVersion}; this disco is model {ModelVersion.Model} schema {ModelVersion.Schema} and cannot reproduce it");
            }

            if (journal.Completed.Count == 0)
            {
                throw record.Resumable ? NothingToResume(folder, record) : new BadInputException(dir, $"run {record.RunId} has no completed checkpoint to resume from");
            }

            epoch = epochNumber is { } k
                ? journal.Completed.FirstOrDefault(c => c.Epoch == k)
                    ?? throw new BadInputException("--epoch", $"no completed epoch {k} (completed: {string.Join(", ", journal.Completed.Select(c => c.Epoch))})")
                : journal.Completed[^1];
            nextEpoch = journal.NextEpoch;
        }

        var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, manifest.ResolvedConfig, $"{dir} (run manifest)", layout);
        if (config.ConfigHash() != manifest.ConfigHash)
        {
            throw new BadInputException(dir, "the run's configuration no longer resolves to the same settings (config/akka.hocon changed?); refusing to resume");
        }

        var model = ModelCatalog.Build(config);
        var settings = RunSettings.From(config, cluster is not null);
        var checkpoints = CheckpointSettings.From(config);
        await using var session = RunSession.Open(settings, config.Merged, storeDb, createTables: false, record.RunId, cluster, io.Err);
        CheckpointImage image;
        var loading = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            image = await session.Store!.LoadEpochAsync(epoch, model).ConfigureAwait(false);
            image.LoadInto(model);
        }
        catch (CorruptStateException ex)
        {
            throw new BadInputException(
                storeDb.Display,
                $"checkpoint {epoch.Epoch} of run {record.RunId} cannot be used: {ex.Message} (`disco checkpoints {dir} --verify` shows which epochs are intact; resume one with --epoch)");
        }

        folder.Write(record with { Status = RunStatus.Running });
        io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"disco: resuming run {record.RunId} from epoch {epoch.Epoch} at t={new Engine.Time.SimTime(epoch.SimTimePs)} (loaded {epoch.Bytes:N0} bytes in {loading.Elapsed.TotalSeconds:F2} s)"));
        var plan = new RunPlan(config, model, settings, checkpoints, folder, manifest.ScenarioName, manifest.Seed, manifest.ConfigHash, image, epoch, nextEpoch, owner);
        return await RunCommand.Execute(io, session, plan, cluster?.AutoResume ?? false, cancel).ConfigureAwait(false);
    }
}
