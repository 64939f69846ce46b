using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// An experiment resolved for one invocation: its studies (one, or those an <c>include</c> names), and every run
/// (configuration × repetition) with its folder, seed, configuration hash and the <c>disco run</c> arguments that
/// make it. Every run's configuration is loaded here, so an unknown key or a bad value fails before any process starts.
/// </summary>
internal sealed record ExperimentPlan(
    string Name,
    string Title,
    string OutDir,
    string Scale,
    int Repeat,
    string Perturb,
    IReadOnlyList<string> Sets,
    IReadOnlyList<Study> Studies,
    IReadOnlyList<PlannedRun> Runs)
{
    /// <summary>Resolves <paramref name="name"/> (in <paramref name="folder"/>) for an output folder.</summary>
    /// <summary>What differs between repetitions: the seed, the order of simultaneous messages, or both.</summary>
    public static readonly string[] PerturbKinds = ["seed", "ties", "both"];

    public static ExperimentPlan Build(string name, string folder, string outDir, string scale, int? repeat, IReadOnlyList<string> sets, string perturb = "seed")
    {
        ArgumentNullException.ThrowIfNull(sets);
        var file = ExperimentFile.Load(ExperimentFile.Locate(name, folder));
        var studyFiles = file.Include.Count == 0
            ? [file]
            : file.Include.Select(n => ExperimentFile.Load(ExperimentFile.Locate(n, Path.GetDirectoryName(Path.GetFullPath(file.Path))!))).ToList();
        foreach (var nested in studyFiles.Where(s => s.Include.Count > 0))
        {
            throw new BadInputException($"{file.Path}: experiment.include", $"{nested.Name} includes other experiments itself (one level only)");
        }

        var cliSets = sets.Select(ConfigOverride.FromSet).ToList();
        var studies = new List<Study>();
        var runs = new List<PlannedRun>();
        int n = repeat ?? file.Scales[scale].Repeat;
        foreach (var sf in studyFiles)
        {
            var study = new Study(sf, file.Include.Count == 0 ? outDir : Path.Combine(outDir, sf.Name));
            studies.Add(study);
            var settings = sf.Scales[scale];
            foreach (var spec in sf.Runs)
            {
                string source = $"{sf.Path}: experiment.{scale}";
                var overrides = new List<ConfigOverride>
                {
                    new("checkpoint.every", settings.CheckpointEvery, $"{source}.checkpoint-every"),
                    new("checkpoint.wall-every", settings.CheckpointWallEvery, $"{source}.checkpoint-wall-every"),
                    new("output.metrics-interval", settings.ProgressEvery, $"{source}.progress-every"),
                };
                overrides.AddRange(settings.Set.Concat(spec.Set).Concat(spec.PerScale[scale]).Concat(cliSets));
                var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, RunCommandScenario(spec.ScenarioPath), spec.ScenarioPath, overrides);

                // Every value is checked by its key here, as disco run would, before any process starts.
                ModelCatalog.Build(config);
                RunSettings.From(config);
                if (!CheckpointSettings.From(config).Enabled)
                {
                    throw new BadInputException($"{source}.checkpoint-every", "an experiment's runs take checkpoints (set checkpoint-every or checkpoint-wall-every)");
                }
                long baseSeed = config.GetLong("disco.seed");
                for (int r = 1; r <= n; r++)
                {
                    // Repetition 1 is the configuration as written (its digest is a plain disco run's); the others
                    // perturb it by the seed and/or the tie order (seeded:r-1), so each is reproducible on its own.
                    long seed = perturb == "ties" ? baseSeed : baseSeed + r - 1;
                    var runOverrides = new List<ConfigOverride>(overrides);
                    if (r > 1 && perturb != "ties")
                    {
                        runOverrides.Add(new ConfigOverride("seed", seed.ToString(CultureInfo.InvariantCulture), "--repeat"));
                    }

                    if (r > 1 && perturb != "seed")
                    {
                        runOverrides.Add(new ConfigOverride("engine.tie-order", $"seeded:{r - 1}", "--perturb"));
                    }

                    string hash = r == 1 ? config.ConfigHash() : SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, RunCommandScenario(spec.ScenarioPath), spec.ScenarioPath, runOverrides).ConfigHash();
                    string id = n == 1 ? spec.Id : $"{spec.Id}.r{r}";
                    runs.Add(new PlannedRun(study, spec, id, r, seed, hash, Path.Combine(study.Folder, id), runOverrides, settings));
                }
            }
        }

        return new ExperimentPlan(file.Name, file.Title, outDir, scale, n, perturb, sets, studies, runs);
    }

    private static string RunCommandScenario(string path) => Cli.RunCommand.ReadScenario(path);
}
