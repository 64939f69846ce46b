using System.Security.Cryptography;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Testing;
using Microsoft.Data.Sqlite;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>Resume refuses what it cannot reproduce: one line naming the place, exit 2, and the store unchanged.</summary>
public class ResumeRefusalTests
{
    private static readonly string[] Phold = ["--set", "phold.lps=32", "--set", "phold.population=4", "--set", "phold.end=100"];

    private static string Fingerprint(string dir)
    {
        string db = Path.Combine(dir, "checkpoints.db");
        SqliteConnection.ClearAllPools();
        return File.Exists(db) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(db))) + File.ReadAllText(Path.Combine(dir, "run.json")) : "";
    }

    private static void AssertRefused(string dir, string expected, params string[] args)
    {
        string before = Fingerprint(dir);
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.Exit);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(dir));
    }

    private static string CheckpointedRun()
    {
        string dir = Repo.TempDir("run");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "30us", "--partitions", "2", .. Phold]).Exit);
        return dir;
    }

    [Fact]
    public void A_folder_without_a_run_is_refused() => AssertRefused(Repo.TempDir("empty"), "no run.json here", "resume", Repo.TempDir("empty"));

    [Fact]
    public void A_missing_folder_is_refused() => AssertRefused(Repo.TempDir("x"), "no such run folder", "resume", "/no/such/run/folder");

    [Fact]
    public void A_run_with_no_completed_epoch_is_refused()
    {
        string dir = Repo.TempDir("none");
        // Checkpoints on, but the first would come after the end: the store holds the manifest and nothing else.
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "1s", .. Phold]).Exit);
        AssertRefused(dir, "has no completed checkpoint", "resume", dir);
    }

    [Fact]
    public void An_epoch_that_does_not_exist_is_refused()
    {
        string dir = CheckpointedRun();
        AssertRefused(dir, "--epoch: no completed epoch 7 (completed: 1, 2, 3)", "resume", dir, "--epoch", "7");
    }

    [Fact]
    public async Task A_checkpoint_of_another_model_version_is_refused()
    {
        string dir = Repo.TempDir("old");
        await using (var h = CheckpointHarness.Create(CheckpointDb.Sqlite(Path.Combine(dir, "checkpoints.db")), runId: "old-run"))
        {
            await h.Store.AppendAsync(new RunManifest("old-run", "disco-model-0", ModelVersion.Schema, "s", "", "disco.seed = 1\n", 1, "h", 0));
        }

        File.WriteAllText(Path.Combine(dir, "run.json"), """{ "run_id": "old-run", "status": "Stopped", "store": "Sqlite", "scenario": "s", "created_unix_ms": 0 }""");
        AssertRefused(dir, "was written by model disco-model-0", "resume", dir);
    }

    [Fact]
    public async Task A_checkpoint_of_another_schema_version_is_refused()
    {
        string dir = Repo.TempDir("schema");
        await using (var h = CheckpointHarness.Create(CheckpointDb.Sqlite(Path.Combine(dir, "checkpoints.db")), runId: "r"))
        {
            await h.Store.AppendAsync(new RunManifest("r", ModelVersion.Model, ModelVersion.Schema + 1, "s", "", "disco.seed = 1\n", 1, "h", 0));
        }

        File.WriteAllText(Path.Combine(dir, "run.json"), """{ "run_id": "r", "status": "Stopped", "store": "Sqlite", "scenario": "s", "created_unix_ms": 0 }""");
        AssertRefused(dir, $"schema {ModelVersion.Schema + 1}", "resume", dir);
    }

    [Fact]
    public void A_database_file_that_is_not_SQLite_is_refused()
    {
        string dir = Repo.TempDir("garbage");
        File.WriteAllText(Path.Combine(dir, "run.json"), """{ "run_id": "r", "status": "Stopped", "store": "Sqlite", "scenario": "s", "created_unix_ms": 0 }""");
        File.WriteAllText(Path.Combine(dir, "checkpoints.db"), "this is not a database, just some text that is long enough to look like a header........................");
        AssertRefused(dir, "cannot use the checkpoint store", "resume", dir);
    }

    [Fact]
    public void A_foreign_SQLite_database_is_refused_and_left_alone()
    {
        string dir = Repo.TempDir("foreign");
        File.WriteAllText(Path.Combine(dir, "run.json"), """{ "run_id": "r", "status": "Stopped", "store": "Sqlite", "scenario": "s", "created_unix_ms": 0 }""");
        using (var c = new SqliteConnection($"Data Source={Path.Combine(dir, "checkpoints.db")};Pooling=false"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');";
            cmd.ExecuteNonQuery();
        }

        AssertRefused(dir, "is not a disco checkpoint store", "resume", dir);
        AssertRefused(dir, "is not a disco checkpoint store", "checkpoints", dir);
    }

    [Fact]
    public void A_db_that_cannot_be_reached_is_refused()
    {
        string dir = CheckpointedRun();
        AssertRefused(dir, "cannot use the checkpoint store postgresql://u@127.0.0.1:1/none", "resume", dir, "--db", "Host=127.0.0.1;Port=1;Database=none;Username=u;Password=p;Timeout=2");
    }

    [Fact]
    public void A_run_db_that_cannot_be_reached_is_refused_before_anything_is_written()
    {
        string dir = Path.Combine(Repo.TempDir("parent"), "run");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "30us", "--db", "Host=127.0.0.1;Port=1;Database=none;Username=u;Password=p;Timeout=2", .. Phold]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("--db: cannot use the checkpoint store", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "run.json")));
    }
}
