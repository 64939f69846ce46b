using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>The machine model through the real command line.</summary>
public class MachineRunTests
{
    private static string Trace => Path.Combine(Repo.Root, "scenarios", "traces", "ls-small.lackey");

    private static JsonNode Summary(string dir) => JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;

    [Fact]
    public void Trace_bare_reports_one_instruction_per_I_line_and_the_machine_counters()
    {
        string dir = Repo.TempDir("trace-bare");
        var (exit, _, stderr) = CliRunner.Run("run", Repo.Scenario("trace-bare.hocon"), "--out", dir, "--set", $"workload.trace={Trace}");
        Assert.True(exit == 0, stderr);
        var s = Summary(dir);
        long lines = File.ReadLines(Trace).Count(l => l.StartsWith("I  ", StringComparison.Ordinal));
        Assert.Equal(lines, s["instructions"]!.GetValue<long>());
        Assert.Equal("machine", s["model"]!.GetValue<string>());
        Assert.True(s["cache_misses"]!["local"]!.GetValue<long>() > 0);
        Assert.True(s["cpu_time_ps"]!["user"]!.GetValue<long>() > 0);
        Assert.True(s["cpu_time_ps"]!["stall"]!.GetValue<long>() > 0);
        Assert.True(s["tlb_misses"]!.GetValue<long>() > 0);
        Assert.True(s["page_faults"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void A_malformed_trace_line_exits_2_naming_the_file_and_line()
    {
        string dir = Repo.TempDir("bad-trace");
        string path = Path.Combine(dir, "bad.lackey");
        File.WriteAllText(path, "==1== Lackey\nI  0401ab70,3\n L 0401zb70,8\n");
        var (exit, stdout, stderr) = CliRunner.Run("run", Repo.Scenario("trace-bare.hocon"), "--out", Path.Combine(dir, "out"), "--set", $"workload.trace={path}");
        Assert.Equal(2, exit);
        Assert.Contains($"{path}:3", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", stdout);
    }

    [Fact]
    public void A_missing_trace_file_exits_2_naming_the_key()
    {
        var (exit, _, stderr) = CliRunner.Run("run", Repo.Scenario("trace-bare.hocon"), "--set", "workload.trace=no/such.lackey");
        Assert.Equal(2, exit);
        Assert.Contains("workload.trace", stderr, StringComparison.Ordinal);
        Assert.Contains("not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_impossible_machine_parameter_exits_2_naming_the_key()
    {
        var (exit, _, stderr) = CliRunner.Run("run", Repo.Scenario("engineering-bare.hocon"), "--set", "machine.l2.line-bytes=32");
        Assert.Equal(2, exit);
        Assert.Contains("machine.l1.line-bytes", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("true")]
    public void Engineering_bare_runs_end_to_end_on_the_NUMA_and_the_UMA_machine(string uma)
    {
        string dir = Repo.TempDir("eng");
        var (exit, _, stderr) = CliRunner.Run(
            "run", Repo.Scenario("engineering-bare.hocon"), "--out", dir, "--set", $"machine.uma={uma}",
            "--set", "workload.engineering.instructions=30000", "--set", "workload.engineering.working-set-kb=512", "--partitions", "8");
        Assert.True(exit == 0, stderr);
        var s = Summary(dir);
        Assert.Equal(12 * 30000, s["instructions"]!.GetValue<long>());
        Assert.True(s["cache_misses"]!["remote"]!.GetValue<long>() > s["cache_misses"]!["local"]!.GetValue<long>(), "round-robin placement on 8 nodes: most misses are remote");
        Assert.Equal(8, s["counters"]!["hw.processor"]!["components"]!.GetValue<long>());
        Assert.True(s["memory_pages"]!["machine"]!.GetValue<long>() > 0);
    }

    [Fact]
    public void The_summary_counts_the_memory_controllers_apart_from_the_directories()
    {
        string dir = Repo.TempDir("mc");
        var (exit, _, stderr) = CliRunner.Run(
            "run", Repo.Scenario("engineering-bare.hocon"), "--out", dir,
            "--set", "workload.engineering.instructions=30000", "--set", "workload.engineering.working-set-kb=512");
        Assert.True(exit == 0, stderr);
        var counters = Summary(dir)["counters"]!;
        var mc = counters["hw.memory-controller"]!;
        Assert.Equal(8, mc["components"]!.GetValue<long>());
        long reads = mc["hw.mc.reads"]!.GetValue<long>();
        Assert.True(reads > 0);
        Assert.True(mc["hw.mc.writes"]!.GetValue<long>() > 0);
        Assert.True(mc["hw.mc.busy_ps"]!.GetValue<long>() > 0);
        Assert.NotNull(mc["hw.mc.queue_ps"]);
        // Every request the directories served but an upgrade read memory once (a forward's speculative read
        // included); disk writes' DMA reads add to that.
        var home = counters["hw.directory"]!;
        long served = home["hw.dir.reads"]!.GetValue<long>() + home["hw.dir.read_exclusives"]!.GetValue<long>() - home["hw.dir.upgrades"]!.GetValue<long>();
        Assert.True(reads >= served && served > 0, $"{reads} memory reads for {served} requests");
        Assert.Null(counters["hw.directory"]!["hw.mc.reads"]);
    }
}
