using Disco.Actors.Host.Experiments;
using Disco.Actors.Host.Tests.Cli;
using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>
/// An experiment killed (runner and runs, SIGKILL) after some runs finished and one is mid-way, then run again,
/// ends with the results of an uninterrupted experiment: every column of results.csv but the wall-clock ones.
/// </summary>
public class ExperimentResumeTests
{
    private static bool Finished(string dir, string run) => File.Exists(Path.Combine(dir, run, "summary.json"));

    [Fact]
    public void An_experiment_killed_mid_way_and_run_again_gives_the_uninterrupted_results()
    {
        string file = TinyExperiment.Write();
        string reference = Path.Combine(Repo.TempDir("straight"), "exp");
        var straight = CliRunner.Run("experiment", file, "--out", reference, "--scale", "small", "--jobs", "1");
        Assert.True(straight.Exit == 0, straight.Err);

        string dir = Path.Combine(Repo.TempDir("killed"), "exp");
        var pause = new Dictionary<string, string> { ["DISCO_TEST_CHECKPOINT_PAUSE_MS"] = "300" };
        using (var p = DiscoProcess.Start(pause, ["experiment", file, "--out", dir, "--scale", "small", "--jobs", "1"]))
        {
            // The runs go in the file's order, one at a time: two done, the third past a checkpoint.
            Assert.True(
                p.WaitUntil(() => Finished(dir, "irix") && Finished(dir, "disco") && DiscoProcess.CompletedCheckpoints(Path.Combine(dir, "two-vms")) >= 1, TimeSpan.FromSeconds(120)),
                p.Err);
            p.KillTree();
        }

        Assert.False(Finished(dir, "two-vms"));
        Assert.False(File.Exists(Path.Combine(dir, ResultsTable.FileName)));
        var again = CliRunner.Run("experiment", file, "--out", dir, "--scale", "small", "--jobs", "1");
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("3 runs, 2 finished before, 1 to resume, 0 to start", again.Err, StringComparison.Ordinal);
        Assert.Contains("resuming two-vms", again.Err, StringComparison.Ordinal);

        var expected = ResultsTable.Read(Path.Combine(reference, ResultsTable.FileName));
        var actual = ResultsTable.Read(Path.Combine(dir, ResultsTable.FileName));
        var compared = expected.Columns.Where(c => !ResultsTable.WallColumns.Contains(c)).ToList();
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(ResultsTable.WallColumns, expected.Columns.TakeLast(ResultsTable.WallColumns.Length));
        Assert.Equal(3, actual.Rows.Count);
        for (int r = 0; r < expected.Rows.Count; r++)
        {
            foreach (string c in compared)
            {
                Assert.True(expected.Rows[r][c] == actual.Rows[r][c], $"row {r} column {c}: {expected.Rows[r][c]} straight, {actual.Rows[r][c]} resumed");
            }
        }

        Assert.Equal(3, actual.Rows.Select(r => r["digest"]).Distinct().Count());
    }

    [Fact]
    public void A_finished_experiment_run_again_starts_nothing_and_rewrites_its_report()
    {
        string file = TinyExperiment.Write();
        string dir = Path.Combine(Repo.TempDir("twice"), "exp");
        Assert.Equal(0, CliRunner.Run("experiment", file, "--out", dir, "--scale", "small").Exit);
        string csv = File.ReadAllText(Path.Combine(dir, ResultsTable.FileName));
        File.Delete(Path.Combine(dir, "REPORT.md"));
        var again = CliRunner.Run("experiment", file, "--out", dir, "--scale", "small");
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("3 finished before, 0 to resume, 0 to start", again.Err, StringComparison.Ordinal);
        Assert.Equal(csv, File.ReadAllText(Path.Combine(dir, ResultsTable.FileName)));
        Assert.True(File.Exists(Path.Combine(dir, "REPORT.md")));
    }

    [Fact]
    public void An_experiment_stopped_with_SIGTERM_stops_its_runs_at_a_checkpoint_and_continues_from_there()
    {
        string file = TinyExperiment.Write();
        string dir = Path.Combine(Repo.TempDir("sigterm"), "exp");
        using (var p = DiscoProcess.Start("experiment", file, "--out", dir, "--scale", "small", "--jobs", "1"))
        {
            Assert.True(p.WaitUntil(() => File.Exists(Path.Combine(dir, "irix", "metrics.csv")), TimeSpan.FromSeconds(60)), p.Err);
            p.Signal("TERM");
            Assert.Equal(1, p.WaitForExit(TimeSpan.FromSeconds(90)));
            Assert.Contains("stopped on request; run the same command again", p.Err, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(dir, "two-vms")));
        Assert.False(File.Exists(Path.Combine(dir, ResultsTable.FileName)));
        var again = CliRunner.Run("experiment", file, "--out", dir, "--scale", "small", "--jobs", "1");
        Assert.True(again.Exit == 0, again.Err);
        Assert.Contains("resuming irix", again.Err, StringComparison.Ordinal);
        Assert.Equal(3, ResultsTable.Read(Path.Combine(dir, ResultsTable.FileName)).Rows.Count);
    }
}
