using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

public class PostgresCliTests
{
    [SkippableFact]
    public void A_run_checkpointed_in_PostgreSQL_resumes_with_db_and_needs_it()
    {
        string cs = Postgres.Require();
        string[] phold = ["--set", "phold.lps=32", "--set", "phold.end=100", "--set", "phold.population=4"];
        string reference = Repo.TempDir("reference");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", reference, "--engine", "sequential", .. phold]).Exit);

        string dir = Repo.TempDir("pg");
        var run = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "30us", "--db", cs, "--partitions", "2", .. phold]);
        Assert.True(run.Exit == 0, run.Err);
        Assert.False(File.Exists(Path.Combine(dir, "checkpoints.db")));
        Assert.DoesNotContain("Password", File.ReadAllText(Path.Combine(dir, "run.json")), StringComparison.OrdinalIgnoreCase);

        var withoutDb = CliRunner.Run("resume", dir);
        Assert.Equal(2, withoutDb.Exit);
        Assert.Contains("--db", withoutDb.Err, StringComparison.Ordinal);

        var list = CliRunner.Run("checkpoints", dir, "--db", cs);
        Assert.Equal(0, list.Exit);
        Assert.Contains("90us", list.Out, StringComparison.Ordinal);

        var resumed = CliRunner.Run("resume", dir, "--db", cs, "--epoch", "1", "--engine", "sequential");
        Assert.True(resumed.Exit == 0, resumed.Err);
        string Digest(string d) => JsonNode.Parse(File.ReadAllText(Path.Combine(d, "summary.json")))!["digest"]!.GetValue<string>();
        Assert.Equal(Digest(reference), Digest(dir));
    }
}

public class PostgresOwnershipTests
{
    [SkippableFact]
    public void Two_processes_resuming_one_PostgreSQL_run_from_different_folders_exclude_each_other()
    {
        string cs = Postgres.Require();
        var db = Engine.Checkpoints.CheckpointDb.Parse(cs);
        string runId = "owner-test-" + Guid.NewGuid().ToString("N");
        using (Runs.RunOwnership.Acquire(new Runs.RunFolder(Repo.TempDir("first")), db, runId))
        {
            var refused = Assert.Throws<Engine.Configuration.BadInputException>(() => Runs.RunOwnership.Acquire(new Runs.RunFolder(Repo.TempDir("second")), db, runId));
            Assert.Contains($"run {runId} is owned by process {Environment.ProcessId}", refused.Message, StringComparison.Ordinal);
        }

        // Released with its owner: the next process takes the run.
        using (Runs.RunOwnership.Acquire(new Runs.RunFolder(Repo.TempDir("third")), db, runId))
        {
        }
    }
}
