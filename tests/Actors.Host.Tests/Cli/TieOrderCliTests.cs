using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>
/// <c>--tie-order</c> end to end: every reproducible order gives one digest on every engine and after a SIGKILL and
/// resume, enters the config hash, and is written into summary.json; bad orders and arrival with checkpoints are
/// refused in one line.
/// </summary>
public class TieOrderCliTests
{
    // A PHOLD full of ties: delays in whole microseconds.
    private static readonly string[] Ties = ["--set", "phold.lps=64", "--set", "phold.end=400", "--set", "phold.integer-delays=true", "--seed", "5"];

    private static JsonNode Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;

    private static JsonNode Run(params string[] args)
    {
        string dir = Repo.TempDir("tie");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, .. Ties, .. args]);
        Assert.True(r.Exit == 0, r.Err);
        return Summary(dir);
    }

    [Theory]
    [InlineData("reverse")]
    [InlineData("seeded:7")]
    public void An_order_gives_one_digest_on_every_engine_and_its_own_config_hash(string order)
    {
        var sequential = Run("--engine", "sequential", "--tie-order", order);
        var perComponent = Run("--partitions", "0", "--threads", "2", "--tie-order", order);
        var partitioned = Run("--partitions", "2", "--threads", "1", "--tie-order", order);
        var canonical = Run("--engine", "sequential");
        Assert.Equal(sequential["digest"]!.GetValue<string>(), perComponent["digest"]!.GetValue<string>());
        Assert.Equal(sequential["digest"]!.GetValue<string>(), partitioned["digest"]!.GetValue<string>());
        Assert.NotEqual(canonical["digest"]!.GetValue<string>(), sequential["digest"]!.GetValue<string>());
        Assert.Equal(order, sequential["tie_order"]!.GetValue<string>());
        Assert.True(sequential["reproducible"]!.GetValue<bool>());
        Assert.NotEqual(canonical["config_hash"]!.GetValue<string>(), sequential["config_hash"]!.GetValue<string>());

        // PHOLD's results commute with the order of its (identical) same-time events: only the digest moves.
        Assert.Equal(canonical["events"]!.GetValue<long>(), sequential["events"]!.GetValue<long>());
    }

    [Fact]
    public void Naming_the_canonical_order_changes_nothing()
    {
        var named = Run("--engine", "sequential", "--tie-order", "canonical");
        var unnamed = Run("--engine", "sequential");
        Assert.Equal(unnamed["digest"]!.GetValue<string>(), named["digest"]!.GetValue<string>());
        Assert.Equal(unnamed["config_hash"]!.GetValue<string>(), named["config_hash"]!.GetValue<string>());
        Assert.Equal("canonical", unnamed["tie_order"]!.GetValue<string>());
    }

    [Fact]
    public void A_run_under_a_seeded_order_killed_mid_way_resumes_to_its_digest()
    {
        string[] big = ["--set", "phold.lps=256", "--set", "phold.end=2000", "--set", "phold.integer-delays=true", "--seed", "6", "--tie-order", "seeded:3"];
        string reference = Repo.TempDir("tie-ref");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", reference, "--engine", "sequential", .. big]).Exit);
        string dir = Repo.TempDir("tie-kill");
        using (var p = DiscoProcess.Start(new Dictionary<string, string> { ["DISCO_TEST_CHECKPOINT_PAUSE_MS"] = "300" }, ["run", Repo.Scenario("phold.hocon"), "--out", dir, "--partitions", "2", "--checkpoint-every", "100us", .. big]))
        {
            Assert.True(p.WaitUntil(() => DiscoProcess.CompletedCheckpoints(dir) >= 2, TimeSpan.FromSeconds(60)), p.Err);
            p.KillHard();
        }

        var resumed = CliRunner.Run("resume", dir);
        Assert.True(resumed.Exit == 0, resumed.Err);
        Assert.Equal(Summary(reference)["digest"]!.GetValue<string>(), Summary(dir)["digest"]!.GetValue<string>());
        Assert.Equal("seeded:3", Summary(dir)["tie_order"]!.GetValue<string>());
    }

    [Fact]
    public void Arrival_order_runs_but_says_it_is_not_reproducible()
    {
        var s = Run("--partitions", "2", "--tie-order", "arrival");
        Assert.False(s["reproducible"]!.GetValue<bool>());
        Assert.Equal("arrival", s["tie_order"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("shuffle", "--tie-order: 'shuffle' is not a tie order")]
    [InlineData("seeded:abc", "integer")]
    public void A_bad_tie_order_is_one_line_and_exit_2(string order, string expected)
    {
        string dir = Repo.TempDir("tie-bad");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--tie-order", order]);
        Assert.Equal(2, r.Exit);
        Assert.Contains(expected, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")));
    }

    [Fact]
    public void Arrival_order_refuses_checkpoints()
    {
        string dir = Repo.TempDir("tie-arrival");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--tie-order", "arrival", "--checkpoint-every", "100us"]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("not reproducible", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFiles(dir).Any());
    }
}
