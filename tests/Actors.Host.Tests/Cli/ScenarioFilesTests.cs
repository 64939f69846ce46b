using System.Text.Json.Nodes;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>Every ready scenario parses, builds its model and runs (a few simulated microseconds of it).</summary>
public class ScenarioFilesTests
{
    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.GetFiles(Path.Combine(Repo.Root, "scenarios"), "*.hocon").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void A_ready_scenario_runs(string scenario)
    {
        string dir = Repo.TempDir("scenario-" + Path.GetFileNameWithoutExtension(scenario));
        // Trace paths are relative to the current directory; the tests do not run from the repository's root.
        string[] trace = scenario == "trace-bare.hocon" ? ["--set", $"workload.trace={Path.Combine(Repo.Root, "scenarios", "traces", "ls-small.lackey")}"] : [];
        var (exit, _, err) = CliRunner.Run(["run", Repo.Scenario(scenario), "--out", dir, "--end", "3us", "--engine", "sequential", .. trace]);
        Assert.True(exit == 0, $"{scenario}: {err}");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
        Assert.True(summary["events"]!.GetValue<long>() > 0);
    }
}
