using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>Page migration end to end: summary.json's numa block and the report's NUMA rows.</summary>
public class NumaRunTests
{
    [Fact]
    public void With_numa_on_every_hot_page_interrupt_gets_one_decision_and_the_summary_and_report_show_them()
    {
        string dir = Repo.TempDir("numa");
        var (exit, _, err) = CliRunner.Run(
            "run", Repo.Scenario("scaling-pmake-8vm.hocon"), "--out", dir,
            "--set", "workload.pmake.instructions=200000", "--set", "machine.hot-page.threshold=64", "--set", "monitor.numa.enabled=true");
        Assert.True(exit == 0, err);
        var numa = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["numa"]!;
        long interrupts = numa["interrupts"]!.GetValue<long>();
        Assert.True(interrupts > 0, "the directories raised hot-page interrupts");
        // The run ends when nothing is in flight: every interrupt reached the policy.
        Assert.Equal(interrupts, numa["decisions"]!.AsObject().Sum(d => d.Value!.GetValue<long>()));
        Assert.True(numa["interrupt_policy_ps_average"]!.GetValue<long>() > 0, "each interrupt costs its processor");

        var report = CliRunner.Run("report", dir, "--no-plot");
        Assert.True(report.Exit == 0, report.Err);
        Assert.Contains("local cache misses (%)", report.Out, StringComparison.Ordinal);
        Assert.Contains("hot-page interrupts", report.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3ms:0", "is not time:vcpu:processor")]
    [InlineData("3ms:5:1", "the run has VCPUs 0-0 and processors 0-1")]
    [InlineData("3:0:1", "is not time:vcpu:processor")]
    public void A_bad_vcpu_move_is_named_with_exit_code_2(string moves, string why)
    {
        var (exit, _, err) = CliRunner.Run("run", Repo.Scenario("numa-move.hocon"), "--out", Repo.TempDir("numa-bad-move"), "--set", $"monitor.vcpu-moves={moves}");
        Assert.Equal(2, exit);
        Assert.Contains("monitor.vcpu-moves", err, StringComparison.Ordinal);
        Assert.Contains(why, err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_policy_value_is_named_with_exit_code_2()
    {
        var (exit, _, err) = CliRunner.Run("run", Repo.Scenario("pmake.hocon"), "--out", Repo.TempDir("numa-bad"), "--set", "monitor.numa.move-limit=0");
        Assert.Equal(2, exit);
        Assert.Contains("monitor.numa.move-limit", err, StringComparison.Ordinal);
    }
}
