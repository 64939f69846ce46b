using System.Text.RegularExpressions;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

public partial class BenchCommandTests
{
    [Fact]
    public void Bench_guest_runs_each_layout_with_the_engine_figures_and_one_digest()
    {
        string dir = Repo.TempDir("bench-guest");
        var (exit, stdout, stderr) = CliRunner.Run(
            "bench", "guest", Repo.Scenario("scaling-pmake-bare.hocon"), "--end", "2ms", "--set", "workload.pmake.instructions=200000",
            "--engine", "sequential,actors", "--partitions", "2", "--out", dir);
        Assert.True(exit == 0, stderr);
        var runs = RunLine().Matches(stdout);
        Assert.Equal(2, runs.Count);
        Assert.Equal(runs[0].Groups["digest"].Value, runs[1].Groups["digest"].Value);
        Assert.Equal(runs[0].Groups["events"].Value, runs[1].Groups["events"].Value);
        Assert.Contains("simulated instructions per wall second", stdout, StringComparison.Ordinal);

        // The actor run's figures: its windows hold every event it handled.
        var figures = Windows().Match(stdout);
        Assert.True(figures.Success, stdout);
        double events = double.Parse(runs[1].Groups["events"].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        double windows = double.Parse(figures.Groups["windows"].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        double perWindow = double.Parse(figures.Groups["per"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(perWindow, (events / windows) - 0.1, (events / windows) + 0.1);
        Assert.Contains("imbalance max/mean", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\d+\.\d\d engine messages per event \([\d,]+\)", stdout);
        Assert.Contains("same digest", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_phold_repeats_layouts_interleaved_and_prints_their_medians()
    {
        string dir = Repo.TempDir("bench-repeat");
        var (exit, stdout, stderr) = CliRunner.Run("bench", "phold", "--lps", "16", "--end", "10", "--partitions", "2,0", "--repeat", "2", "--out", dir);
        Assert.True(exit == 0, stderr);
        var layouts = RunLine().Matches(stdout).Select(m => m.Groups["layout"].Value).ToArray();
        Assert.Equal(["2 partitions", "16 partitions", "2 partitions", "16 partitions"], layouts);
        Assert.Contains("actors partitions=2 threads=0: ", stdout, StringComparison.Ordinal);
        Assert.Contains("over 2 runs", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("DIGESTS DIFFER", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeat_below_one_is_refused_naming_the_option()
    {
        var (exit, _, stderr) = CliRunner.Run("bench", "phold", "--repeat", "0");
        Assert.Equal(2, exit);
        Assert.Contains("--repeat: must be at least 1", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\w+: (?<events>[\d,]+) events .*?, (?<layout>\d+ partitions), .*digest (?<digest>[0-9a-f]{16})$", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [GeneratedRegex(@"(?<windows>[\d,]+) windows \([\d,]+/s, [\d.]+ us and (?<per>[\d.]+) events per window\)")]
    private static partial Regex Windows();
}
