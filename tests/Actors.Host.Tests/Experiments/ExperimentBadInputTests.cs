using Disco.Actors.Host.Tests.Cli;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>Bad input to <c>disco experiment</c>: one line naming the file and key (or option), exit 2, nothing written.</summary>
public class ExperimentBadInputTests
{
    private static void AssertBadInput((int Exit, string Out, string Err) result, params string[] names)
    {
        Assert.Equal(2, result.Exit);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (string name in names)
        {
            Assert.Contains(name, line, StringComparison.Ordinal);
        }

        Assert.Equal("", result.Out);
    }

    private static (int Exit, string Out, string Err) Run(string experiment, string outDir, params string[] more) =>
        CliRunner.Run(["experiment", experiment, "--out", outDir, "--scale", "small", .. more]);

    [Fact]
    public void An_unknown_experiment_name_is_refused_naming_the_known_ones()
    {
        string outDir = Path.Combine(Repo.TempDir("out"), "exp");
        AssertBadInput(CliRunner.Run("experiment", "nosuch", "--out", outDir, "--experiments", Path.Combine(Repo.Root, "experiments")), "nosuch: unknown experiment", "overhead");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_unknown_scenario_names_the_file_and_the_run()
    {
        string file = TinyExperiment.Write();
        File.WriteAllText(file, File.ReadAllText(file).Replace("scaling-pmake-2vm.hocon", "no-such-scenario.hocon", StringComparison.Ordinal));
        string outDir = Path.Combine(Repo.TempDir("out"), "exp");
        AssertBadInput(Run(file, outDir), file, "experiment.runs[2].scenario", "unknown scenario");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_unknown_key_of_a_run_is_named()
    {
        string file = TinyExperiment.Write(extraRunKeys: ", colour = red");
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, "experiment.runs[0].colour", "unknown key");
    }

    [Theory]
    [InlineData("tables = [calibration]", "experiment.targets", "needs targets")]
    [InlineData("targets = [{ group = pmake, service = open, share = 9, average-us = 42 }]", "experiment.targets[0].source", "missing")]
    [InlineData("targets = [{ group = pmake, service = open, share = 190, average-us = 42, source = x }]", "experiment.targets[0].share", "from 0 to 100")]
    [InlineData("targets = [{ group = pmake, service = open, share = 9, average = 42, source = x }]", "experiment.targets[0].average", "unknown key")]
    public void A_bad_calibration_target_is_named(string keys, string named, string why)
    {
        string file = TinyExperiment.Write(extraTopKeys: keys);
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, named, why);
    }

    [Fact]
    public void An_unknown_key_of_the_experiment_is_named()
    {
        string file = TinyExperiment.Write(extraTopKeys: "plots = [figure5]");
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, "experiment.plots", "unknown key");
    }

    [Fact]
    public void An_unknown_figure_is_named()
    {
        string file = TinyExperiment.Write();
        File.WriteAllText(file, File.ReadAllText(file).Replace("figure8]", "figure9]", StringComparison.Ordinal));
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, "experiment.figures", "figure9");
    }

    [Fact]
    public void An_unknown_configuration_key_in_a_run_set_names_the_file_and_the_run()
    {
        string file = TinyExperiment.Write(extraRunKeys: ", set = [\"machine.nodez=2\"]");
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, "experiment.runs[0].set", "unknown key disco.machine.nodez");
    }

    [Fact]
    public void A_bad_value_in_a_run_set_names_the_file_and_the_run()
    {
        string file = TinyExperiment.Write(extraRunKeys: ", set = [\"machine.nodes=-3\"]");
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, "experiment.runs[0].set (machine.nodes)");
    }

    [Fact]
    public void A_bad_repeat_in_the_file_is_named()
    {
        string file = TinyExperiment.Write();
        File.WriteAllText(file, File.ReadAllText(file).Replace("repeat = 1", "repeat = 0", StringComparison.Ordinal));
        AssertBadInput(Run(file, Path.Combine(Repo.TempDir("out"), "exp")), file, "experiment.small.repeat");
    }

    [Fact]
    public void Jobs_zero_is_refused()
    {
        string outDir = Path.Combine(Repo.TempDir("out"), "exp");
        AssertBadInput(Run(TinyExperiment.Write(), outDir, "--jobs", "0"), "--jobs", "at least 1");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_bad_perturbation_is_refused() =>
        AssertBadInput(CliRunner.Run("experiment", TinyExperiment.Write(), "--perturb", "weather"), "--perturb", "seed, ties or both");

    [Fact]
    public void A_bad_scale_is_refused() =>
        AssertBadInput(CliRunner.Run("experiment", TinyExperiment.Write(), "--scale", "medium"), "--scale");

    [Fact]
    public void A_folder_holding_another_experiment_is_refused_and_left_as_it_is()
    {
        string outDir = Repo.TempDir("other");
        string record = "{\n  \"experiment\": \"memory\",\n  \"scale\": \"small\",\n  \"repeat\": 1,\n  \"sets\": [],\n  \"runs\": {}\n}\n";
        File.WriteAllText(Path.Combine(outDir, "experiment.json"), record);
        Directory.CreateDirectory(Path.Combine(outDir, "irix"));
        AssertBadInput(Run(TinyExperiment.Write(), outDir), outDir, "holds experiment memory");
        Assert.Equal(record, File.ReadAllText(Path.Combine(outDir, "experiment.json")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(outDir, "irix")));
        Assert.Equal(2, Directory.GetFileSystemEntries(outDir).Length);
    }

    [Fact]
    public void The_same_experiment_at_another_scale_is_another_experiment()
    {
        string outDir = Repo.TempDir("other-scale");
        string file = TinyExperiment.Write();
        File.WriteAllText(Path.Combine(outDir, "experiment.json"), "{\"experiment\": \"tiny\", \"scale\": \"full\", \"repeat\": 3, \"sets\": [], \"runs\": {}}");
        AssertBadInput(Run(file, outDir), "holds experiment tiny (scale full, repeat 3)");
    }

    [Fact]
    public void A_folder_with_other_files_and_no_record_is_refused()
    {
        string outDir = Repo.TempDir("busy");
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        AssertBadInput(Run(TinyExperiment.Write(), outDir), outDir, "not empty");
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
    }
}
