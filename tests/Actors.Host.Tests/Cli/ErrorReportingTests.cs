using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>A failure of the environment is one line naming the place, exit 1; the stack trace only on request.</summary>
public class ErrorReportingTests
{
    private static readonly string[] Phold = ["--set", "phold.lps=16", "--set", "phold.end=20"];

    [Fact]
    public void An_output_folder_that_cannot_be_made_is_one_line_naming_it()
    {
        string parent = Repo.TempDir("blocked");
        string file = Path.Combine(parent, "a-file");
        File.WriteAllText(file, "not a folder");
        string output = Path.Combine(file, "run");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", output, .. Phold]);
        Assert.Equal(1, r.Exit);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(file, line, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_adds_the_details()
    {
        string file = Path.Combine(Repo.TempDir("blocked"), "a-file");
        File.WriteAllText(file, "not a folder");
        var r = CliRunner.Run(["run", Repo.Scenario("phold.hocon"), "--out", Path.Combine(file, "run"), "--verbose", .. Phold]);
        Assert.Equal(1, r.Exit);
        Assert.Contains(" at ", r.Err, StringComparison.Ordinal);
    }
}
