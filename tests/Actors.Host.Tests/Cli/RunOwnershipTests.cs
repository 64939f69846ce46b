using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Disco.Actors.Testing;
using Microsoft.Data.Sqlite;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>One owner per run: a second process is refused in one line before it writes; a dead owner's run is taken over at once.</summary>
public class RunOwnershipTests
{
    private static readonly string[] Big = ["--set", "phold.lps=256", "--set", "phold.end=3000"];

    private static string Fingerprint(string dir)
    {
        SqliteConnection.ClearAllPools();
        return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "checkpoints.db")))) + File.ReadAllText(Path.Combine(dir, "run.json"));
    }

    private static string Digest(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["digest"]!.GetValue<string>();

    private static string Reference()
    {
        string reference = Repo.TempDir("reference");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", reference, "--engine", "sequential", .. Big]).Exit);
        return Digest(reference);
    }

    private static string OneLine(string err) => Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void A_second_process_on_a_live_run_is_refused_and_a_killed_owner_is_taken_over()
    {
        string digest = Reference();
        string dir = Repo.TempDir("owned");
        using (var owner = DiscoProcess.Start(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--engine", "sequential", "--checkpoint-every", "100us", .. Big]))
        {
            Assert.True(owner.WaitUntil(() => DiscoProcess.CompletedCheckpoints(dir) >= 1, TimeSpan.FromSeconds(60)), owner.Err);
            owner.Signal("STOP"); // hold it still while the intruders try, so the store cannot change under the fingerprint
            string before = Fingerprint(dir);

            var resume = CliRunner.Run("resume", dir);
            Assert.Equal(2, resume.Exit);
            string line = OneLine(resume.Err);
            Assert.Contains($"owned by process {owner.Id}", line, StringComparison.Ordinal);
            Assert.Contains("paused", line, StringComparison.Ordinal);

            var run = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "100us", .. Big]);
            Assert.Equal(2, run.Exit);
            Assert.Contains($"owned by process {owner.Id}", OneLine(run.Err), StringComparison.Ordinal);
            Assert.Equal(before, Fingerprint(dir));

            owner.Signal("CONT");
            Assert.True(owner.WaitUntil(() => DiscoProcess.CompletedCheckpoints(dir) >= 2, TimeSpan.FromSeconds(60)), owner.Err);
            owner.KillHard();
        }

        var taken = CliRunner.Run("resume", dir);
        Assert.True(taken.Exit == 0, taken.Err);
        Assert.Equal(digest, Digest(dir));
    }

    [Fact]
    public void A_paused_owner_keeps_its_run_and_finishes_it_when_continued()
    {
        string digest = Reference();
        string dir = Repo.TempDir("paused");
        using var owner = DiscoProcess.Start(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--engine", "sequential", "--checkpoint-every", "100us", .. Big]);
        Assert.True(owner.WaitUntil(() => DiscoProcess.CompletedCheckpoints(dir) >= 1, TimeSpan.FromSeconds(60)), owner.Err);
        owner.Signal("STOP");
        var resume = CliRunner.Run("resume", dir);
        Assert.Equal(2, resume.Exit);
        owner.Signal("CONT");
        Assert.Equal(0, owner.WaitForExit(TimeSpan.FromSeconds(120)));
        Assert.Equal(digest, Digest(dir));
    }

    [Fact]
    public void A_run_stopped_before_its_first_checkpoint_says_so_and_starts_again_over_its_folder()
    {
        string dir = Repo.TempDir("early");
        // What a SIGKILL before the first checkpoint leaves: a run record that says running, a store with no epoch.
        File.WriteAllText(Path.Combine(dir, "run.json"), """{ "run_id": "20261202-000000-deadbeef", "status": "Running", "store": "Sqlite", "scenario": "scenarios/phold.hocon", "created_unix_ms": 0 }""");
        var resume = CliRunner.Run("resume", dir);
        Assert.Equal(2, resume.Exit);
        string line = OneLine(resume.Err);
        Assert.Contains("was stopped before its first checkpoint completed", line, StringComparison.Ordinal);
        Assert.Contains("disco run", line, StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(dir, "checkpoints.db"), []); // an empty store file, as a kill during creation leaves
        Assert.Contains("stopped before its first checkpoint", OneLine(CliRunner.Run("resume", dir).Err), StringComparison.Ordinal);

        var again = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--checkpoint-every", "40us", "--set", "phold.lps=32", "--set", "phold.end=100"]);
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("starting it again", again.Err, StringComparison.Ordinal);
        Assert.Equal("Finished", JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "run.json")))!["status"]!.GetValue<string>());
    }
}
