using System.Text.Json.Nodes;
using Disco.Actors.Testing;
using Microsoft.Data.Sqlite;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>
/// SIGKILL at the moments where a store is most fragile: inside a checkpoint write (held open by the
/// <c>DISCO_TEST_CHECKPOINT_PAUSE_MS</c> hook between the chunks and the completion record), and in a run that was
/// itself resumed. Each resumes to the uninterrupted digest.
/// </summary>
public class CrashTests
{
    private static string[] Big(int seed) => ["--set", "phold.lps=256", "--set", "phold.end=2500", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    private static string Digest(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["digest"]!.GetValue<string>();

    private static string Reference(int seed)
    {
        string reference = Repo.TempDir("reference");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", reference, "--engine", "sequential", .. Big(seed)]).Exit);
        return Digest(reference);
    }

    /// <summary>Epochs started and epochs completed in a run folder's journal.</summary>
    private static (long Started, long Completed) Epochs(string dir)
    {
        string db = Path.Combine(dir, "checkpoints.db");
        if (!File.Exists(db))
        {
            return (0, 0);
        }

        try
        {
            using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "SELECT (SELECT count(*) FROM journal WHERE manifest LIKE 'checkpoint-started.%'), (SELECT count(*) FROM journal WHERE manifest LIKE 'checkpoint-completed.%')";
            using var r = q.ExecuteReader();
            r.Read();
            return (r.GetInt64(0), r.GetInt64(1));
        }
        catch (SqliteException)
        {
            return (0, 0);
        }
    }

    [Theory]
    [InlineData(11, 1)]
    [InlineData(12, 2)]
    [InlineData(13, 3)]
    public void A_run_killed_inside_a_checkpoint_write_resumes_from_the_last_completed_epoch(int seed, int completedBefore)
    {
        string digest = Reference(seed);
        string dir = Repo.TempDir("inside");
        var pause = new Dictionary<string, string> { ["DISCO_TEST_CHECKPOINT_PAUSE_MS"] = "500" };
        using (var p = DiscoProcess.Start(pause, ["run", Repo.Scenario("phold.hocon"), "--out", dir, "--partitions", "2", "--checkpoint-every", "50us", .. Big(seed)]))
        {
            // The epoch after `completedBefore` has its chunks stored but is not completed yet.
            Assert.True(p.WaitUntil(() => Epochs(dir) is var (s, c) && c == completedBefore && s == c + 1, TimeSpan.FromSeconds(60)), p.Err);
            p.KillHard();
        }

        Assert.Equal((completedBefore + 1L, (long)completedBefore), Epochs(dir));
        var listed = CliRunner.Run("checkpoints", dir);
        Assert.DoesNotContain($"\n{completedBefore + 1,6} ", listed.Out, StringComparison.Ordinal);
        var resumed = CliRunner.Run("resume", dir);
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Contains($"from epoch {completedBefore} ", resumed.Err, StringComparison.Ordinal);
        Assert.Equal(digest, Digest(dir));
    }

    [Fact]
    public void A_resumed_run_killed_again_resumes_again_to_the_same_digest()
    {
        const int Seed = 21;
        string digest = Reference(Seed);
        string dir = Repo.TempDir("twice");
        using (var first = DiscoProcess.Start(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--partitions", "2", "--checkpoint-every", "50us", .. Big(Seed)]))
        {
            Assert.True(first.WaitUntil(() => Epochs(dir).Completed >= 2, TimeSpan.FromSeconds(60)), first.Err);
            first.KillHard();
        }

        long before = Epochs(dir).Completed;
        using (var second = DiscoProcess.Start(["resume", dir, "--partitions", "3"]))
        {
            Assert.True(second.WaitUntil(() => Epochs(dir).Completed >= before + 2, TimeSpan.FromSeconds(60)), second.Err);
            second.KillHard();
        }

        var third = CliRunner.Run("resume", dir, "--engine", "sequential");
        Assert.True(third.Exit == 0, third.Err);
        Assert.Equal(digest, Digest(dir));
    }
}
