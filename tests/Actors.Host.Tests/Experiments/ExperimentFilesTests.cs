using Disco.Actors.Host.Experiments;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>The experiment files shipped in experiments/ load and validate every run at both scales.</summary>
public class ExperimentFilesTests
{
    [Theory]
    [InlineData("overhead", 8, 1)]
    [InlineData("memory", 6, 1)]
    [InlineData("scaling", 8, 1)]
    [InlineData("all", 22, 3)]
    public void A_shipped_experiment_plans_every_run_at_both_scales(string name, int configurations, int studies)
    {
        string folder = Path.Combine(Repo.Root, "experiments");
        string output = Path.Combine(Repo.TempDir("plan"), name);
        var small = ExperimentPlan.Build(name, folder, output, "small", null, []);
        var full = ExperimentPlan.Build(name, folder, output, "full", null, []);
        Assert.Equal(configurations, small.Runs.Count);
        Assert.Equal(3 * configurations, full.Runs.Count);
        Assert.Equal(studies, full.Studies.Count);
        Assert.Equal(full.Runs.Count, full.Runs.Select(r => r.Folder).Distinct().Count());
        Assert.All(small.Runs.Zip(full.Runs.Where(r => r.Repetition == 1), (s, f) => (s.ConfigHash, f.ConfigHash)), p => Assert.NotEqual(p.Item1, p.Item2));
        Assert.False(Directory.Exists(output));
    }
}
