using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary><c>disco probe order</c> end to end: separate processes, the two reports, bad input.</summary>
public class ProbeCommandTests
{
    [Fact]
    public void Phold_with_integer_delays_is_reported_order_independent_with_distinct_digests()
    {
        string dir = Path.Combine(Repo.TempDir("probe"), "out");
        var r = CliRunner.Run("probe", "order", Repo.Scenario("phold.hocon"), "--runs", "4", "--jobs", "2", "--out", dir,
            "--set", "phold.lps=32", "--set", "phold.end=100", "--set", "phold.integer-delays=true");
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains("order-independent over 4 orders", r.Out, StringComparison.Ordinal);
        var report = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "order-report.json")))!;
        Assert.False(report["order_dependent"]!.GetValue<bool>());
        Assert.Equal(4, report["runs"]!.AsArray().Count);
        Assert.Equal(4, report["runs"]!.AsArray().Select(x => x!["digest"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(32, report["components_compared"]!.GetValue<int>());
        Assert.Null(report["first_divergence"]);
        Assert.Contains("does not depend on the tie order", File.ReadAllText(Path.Combine(dir, "order-report.md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "seeded-3", "state-hashes.csv")));
    }

    [Theory]
    [InlineData("--runs", "0", "--runs")]
    [InlineData("--runs", "1", "--runs")]
    [InlineData("--jobs", "0", "--jobs")]
    [InlineData("--sample-every", "soon", "--sample-every")]
    public void Bad_probe_options_are_one_line_and_exit_2(string option, string value, string named)
    {
        var r = CliRunner.Run("probe", "order", Repo.Scenario("phold.hocon"), option, value, "--out", Path.Combine(Repo.TempDir("probe-bad"), "out"));
        Assert.Equal(2, r.Exit);
        Assert.Contains(named, r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Trim().Split('\n'));
    }

    [Fact]
    public void A_probe_refuses_a_folder_that_is_not_empty()
    {
        string dir = Repo.TempDir("probe-full");
        File.WriteAllText(Path.Combine(dir, "keep.txt"), "mine");
        var r = CliRunner.Run("probe", "order", Repo.Scenario("phold.hocon"), "--out", dir);
        Assert.Equal(2, r.Exit);
        Assert.Contains("not empty", r.Err, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir, "keep.txt")));
    }
}
