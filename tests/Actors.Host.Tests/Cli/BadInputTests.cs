using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>Every kind of bad input: one line naming the file, key, line or option; exit code 2; nothing written.</summary>
public class BadInputTests
{
    private static void AssertBadInput((int Exit, string Out, string Err) result, string names)
    {
        Assert.Equal(2, result.Exit);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(names, line, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    private static string Scenario(string text)
    {
        string dir = Repo.TempDir("scenario");
        string path = Path.Combine(dir, "bad.hocon");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Malformed_HOCON_names_the_file_and_line()
    {
        string path = Scenario("disco {\n  phold {\n    lps = [1,\n  }\n}\n");
        string outDir = Path.Combine(Repo.TempDir("out"), "run");
        AssertBadInput(CliRunner.Run("run", path, "--out", outDir), $"{path}:4");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_unterminated_string_names_its_line() =>
        AssertBadInput(CliRunner.Run("run", Scenario("disco {\n  model = \"phold\n}\n")), ":2: malformed HOCON: unterminated string");

    [Fact]
    public void An_unknown_scenario_key_is_named() =>
        AssertBadInput(CliRunner.Run("run", Scenario("disco.phold.lpz = 8\n")), "disco.phold.lpz: unknown key");

    [Fact]
    public void An_unknown_top_level_section_is_named() =>
        AssertBadInput(CliRunner.Run("run", Scenario("dicso { seed = 2 }\n")), "dicso");

    [Fact]
    public void An_unknown_set_key_is_named() =>
        AssertBadInput(CliRunner.Run("run", Repo.Scenario("phold.hocon"), "--set", "machine.nodez=4"), "--set machine.nodez: unknown key disco.machine.nodez");

    [Fact]
    public void A_set_without_a_value_is_refused() =>
        AssertBadInput(CliRunner.Run("run", Repo.Scenario("phold.hocon"), "--set", "phold.lps"), "--set phold.lps: expected key=value");

    [Theory]
    [InlineData("0")]
    [InlineData("-0.5")]
    public void A_lookahead_of_zero_or_less_is_refused(string value) =>
        AssertBadInput(CliRunner.Run("run", Repo.Scenario("phold.hocon"), "--set", $"phold.lookahead={value}"), "--set phold.lookahead: must be > 0");

    [Fact]
    public void A_lookahead_of_zero_in_a_scenario_names_the_file_and_key()
    {
        string path = Scenario("disco.phold.lookahead = 0\n");
        AssertBadInput(CliRunner.Run("run", path), $"{path}: disco.phold.lookahead: must be > 0");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void An_end_of_zero_or_less_is_refused(string value) =>
        AssertBadInput(CliRunner.Run("bench", "phold", "--end", value), "--end: must be > 0");

    [Fact]
    public void An_end_time_without_a_unit_is_refused() =>
        AssertBadInput(CliRunner.Run("run", Repo.Scenario("phold.hocon"), "--end", "500"), "--end: '500' is not a simulated time");

    [Fact]
    public void Zero_lps_is_refused() => AssertBadInput(CliRunner.Run("bench", "phold", "--lps", "0"), "--lps: must be at least 1");

    [Fact]
    public void A_non_numeric_option_is_refused() => AssertBadInput(CliRunner.Run("bench", "phold", "--lps", "many"), "--lps");

    [Fact]
    public void A_missing_scenario_file_is_named() =>
        AssertBadInput(CliRunner.Run("run", "no/such/scenario.hocon"), "no/such/scenario.hocon: scenario file not found");

    [Fact]
    public void An_unknown_engine_is_refused() =>
        AssertBadInput(CliRunner.Run("run", Repo.Scenario("phold.hocon"), "--engine", "quantum"), "--engine: 'quantum' is not one of actors, sequential");

    [Fact]
    public void An_unknown_command_is_refused()
    {
        var r = CliRunner.Run("fly");
        Assert.Equal(2, r.Exit);
    }
}
