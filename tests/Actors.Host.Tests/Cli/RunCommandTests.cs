using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

public class RunCommandTests
{
    private static readonly string[] SmallPhold = ["--set", "phold.lps=32", "--set", "phold.end=20", "--set", "phold.population=4"];

    [Fact]
    public void Run_writes_a_summary_with_every_documented_key()
    {
        string dir = Repo.TempDir("run");
        var (exit, stdout, stderr) = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, .. SmallPhold]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("results in", stdout, StringComparison.Ordinal);

        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!.AsObject();
        foreach (string key in new[]
        {
            "digest", "engine", "events", "sim_time_ps", "wall_s", "events_per_s", "seed", "config_hash", "partitions", "threads",
            "cpu_time_ps", "instructions", "loads", "stores", "tlb_misses", "l2tlb_hits", "cache_misses", "page_faults",
            "migrations", "replications", "memory_pages", "disk_requests", "vms",
        })
        {
            Assert.True(summary.ContainsKey(key), $"summary.json lacks {key}");
        }

        Assert.Matches("^[0-9a-f]{16}$", summary["digest"]!.GetValue<string>());
        Assert.Equal("actors", summary["engine"]!.GetValue<string>());
        Assert.True(summary["events"]!.GetValue<long>() > 0);
        Assert.Equal(20_000_000, summary["sim_time_ps"]!.GetValue<long>());
        foreach (string bucket in new[] { "user", "kernel", "monitor", "idle", "stall" })
        {
            Assert.Equal(0, summary["cpu_time_ps"]![bucket]!.GetValue<long>());
        }

        Assert.Equal(0, summary["cache_misses"]!["remote"]!.GetValue<long>());
        Assert.Equal(32, summary["counters"]!["phold.lp"]!["components"]!.GetValue<long>());
        Assert.True(File.Exists(Path.Combine(dir, "config.resolved.hocon")));
    }

    [Fact]
    public void The_sequential_engine_and_the_actor_engine_print_the_same_digest()
    {
        string a = Repo.TempDir("seq");
        string b = Repo.TempDir("act");
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", a, "--engine", "sequential", .. SmallPhold]).Exit);
        Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", b, "--partitions", "3", .. SmallPhold]).Exit);
        var sa = JsonNode.Parse(File.ReadAllText(Path.Combine(a, "summary.json")))!;
        var sb = JsonNode.Parse(File.ReadAllText(Path.Combine(b, "summary.json")))!;
        Assert.Equal(sa["digest"]!.GetValue<string>(), sb["digest"]!.GetValue<string>());
        Assert.Equal(sa["events"]!.GetValue<long>(), sb["events"]!.GetValue<long>());
        Assert.Equal(sa["config_hash"]!.GetValue<string>(), sb["config_hash"]!.GetValue<string>());
        Assert.Equal(3, sb["partitions"]!.GetValue<int>());
    }

    [Fact]
    public void Seed_and_model_settings_change_the_config_hash_but_the_layout_does_not()
    {
        string Hash(params string[] extra)
        {
            string dir = Repo.TempDir("hash");
            Assert.Equal(0, CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--end", "2us", .. SmallPhold, .. extra]).Exit);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["config_hash"]!.GetValue<string>();
        }

        string baseline = Hash();
        Assert.Equal(baseline, Hash("--partitions", "2", "--threads", "1"));
        Assert.NotEqual(baseline, Hash("--seed", "9"));
        Assert.NotEqual(baseline, Hash("--set", "phold.remote=0.5"));
    }

    [Theory]
    [InlineData(new string[0], 2)]
    [InlineData(new[] { "--partitions", "auto", "--threads", "1" }, 1)]
    [InlineData(new[] { "--partitions", "0" }, 16)]
    public void Partitions_default_to_one_per_thread_and_zero_means_one_actor_per_component(string[] layout, int expected)
    {
        string dir = Repo.TempDir("auto");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", dir, "--set", "phold.lps=16", "--set", "phold.end=10", "--set", "engine.threads=2", .. layout]);
        Assert.True(r.Exit == 0, r.Err);
        Assert.Equal(expected, JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["partitions"]!.GetValue<int>());
    }

    [Fact]
    public void A_partition_count_that_is_not_one_is_refused_in_one_line()
    {
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", Repo.TempDir("auto-bad"), "--partitions", "many"]);
        Assert.Equal(2, r.Exit);
        Assert.Contains("'many' is not auto", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_phold_prints_one_line_and_writes_summary_json()
    {
        string dir = Repo.TempDir("bench");
        var (exit, stdout, stderr) = CliRunner.Run("bench", "phold", "--lps", "16", "--end", "10", "--partitions", "2", "--out", dir);
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("phold: ", stdout, StringComparison.Ordinal);
        Assert.Contains("events/s", stdout, StringComparison.Ordinal);
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.Equal(2, summary["partitions"]!.GetValue<int>());
    }
}
