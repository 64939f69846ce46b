using Disco.Actors.Host.Experiments;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>The experiment files shipped in experiments/ load and validate every run at both scales.</summary>
public class ExperimentFilesTests
{
    [Fact]
    public void The_calibration_study_runs_the_four_bare_workloads_once_against_pmakes_published_services()
    {
        string folder = Path.Combine(Repo.Root, "experiments");
        var full = ExperimentPlan.Build("calibration", folder, Path.Combine(Repo.TempDir("plan"), "calibration"), "full", null, []);
        Assert.Equal(4, full.Runs.Count);
        var targets = Assert.Single(full.Studies).File.Targets;
        Assert.Equal(7, targets.Count);
        Assert.Equal(100, targets.Sum(t => t.SharePct) + 26); // the seven services are 74% of IRIX's kernel service time
    }

    [Theory]
    [InlineData("overhead", 8, 1)]
    [InlineData("memory", 6, 1)]
    [InlineData("scaling", 8, 1)]
    [InlineData("numa", 8, 1)]
    [InlineData("all", 30, 4)]
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

    [Theory]
    [InlineData("seed", new[] { "1", "2", "3" }, new[] { "", "", "" })]
    [InlineData("ties", new[] { "1", "1", "1" }, new[] { "", "seeded:1", "seeded:2" })]
    [InlineData("both", new[] { "1", "2", "3" }, new[] { "", "seeded:1", "seeded:2" })]
    public void Repetitions_perturb_the_seed_the_tie_order_or_both(string perturb, string[] seeds, string[] tieOrders)
    {
        var plan = ExperimentPlan.Build("overhead", Path.Combine(Repo.Root, "experiments"), Repo.TempDir("perturb"), "small", 3, [], perturb);
        var pmake = plan.Runs.Where(r => r.Spec.Id == "pmake-irix").ToList();
        Assert.Equal(["pmake-irix.r1", "pmake-irix.r2", "pmake-irix.r3"], pmake.Select(r => r.Id));
        Assert.Equal(seeds, pmake.Select(r => r.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(tieOrders, pmake.Select(r => r.Overrides.LastOrDefault(o => o.Key == "engine.tie-order").Value ?? ""));
        Assert.Equal(3, pmake.Select(r => r.ConfigHash).Distinct().Count());
    }
}
