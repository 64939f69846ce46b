using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary><c>disco report</c> on hand-written summaries: the printed figures, the chart, and every kind of bad input.</summary>
public class ReportCommandTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // Run 1: 1 s of processor time. Run 2: the same work under a monitor, 1.5 s; reads take 1.5 times as long.
    private const string Bare = """
        { "scenario": "engineering-bare", "model": "machine", "sim_time_ps": 250000000000, "instructions": 1000000,
          "tlb_misses": 1200, "l2tlb_hits": 0, "page_faults": 40, "vms": [],
          "cpu_time_ps": { "user": 400000000000, "kernel": 300000000000, "monitor": 0, "idle": 200000000000, "stall": 100000000000 },
          "services": { "read": { "count": 10, "time_ps": 50000000 }, "open": { "count": 4, "time_ps": 80000000 } } }
        """;

    private const string Virtual = """
        { "scenario": "engineering-disco", "model": "monitor", "sim_time_ps": 375000000000, "instructions": 1000000,
          "tlb_misses": 5000, "l2tlb_hits": 3000, "page_faults": 40, "vms": [ { "id": 0 }, { "id": 1 } ],
          "cpu_time_ps": { "user": 400000000000, "kernel": 450000000000, "monitor": 300000000000, "idle": 200000000000, "stall": 150000000000 },
          "services": { "read": { "count": 20, "time_ps": 150000000 }, "fork": { "count": 1, "time_ps": 9000000 } } }
        """;

    private static string RunFolder(string root, string name, string? summary)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        if (summary is not null)
        {
            File.WriteAllText(Path.Combine(dir, "summary.json"), summary);
        }

        return dir;
    }

    private static string[] Row(string output, string label) =>
        Assert.Single(output.Split('\n'), l => l.StartsWith(label + " ", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Two_runs_print_the_breakdown_normalized_to_the_first()
    {
        string root = Repo.TempDir("report");
        var (exit, output, err) = CliRunner.Run("report", RunFolder(root, "bare", Bare), RunFolder(root, "disco", Virtual), "--no-plot");
        Assert.True(exit == 0, err);
        Assert.Equal(["total", "1.000000", "100.0", "100.0", "1.500000", "100.0", "150.0"], Row(output, "total"));
        Assert.Equal(["monitor", "0.000000", "0.0", "0.0", "0.300000", "20.0", "30.0"], Row(output, "monitor"));
        Assert.Equal(["idle", "0.200000", "20.0", "20.0", "0.200000", "13.3", "20.0"], Row(output, "idle"));
    }

    [Fact]
    public void Services_show_counts_times_averages_and_the_ratio_of_averages()
    {
        string root = Repo.TempDir("report");
        var (_, output, _) = CliRunner.Run("report", RunFolder(root, "bare", Bare), RunFolder(root, "disco", Virtual), "--no-plot");
        // read: 10 in 50 us (5 us each) against 20 in 150 us (7.5 us each).
        Assert.Equal(["read", "10", "0.050", "5.00", "20", "0.150", "7.50", "1.50"], Row(output, "read"));
        Assert.Equal(["fork", "0", "0.000", "0.00", "1", "0.009", "9.00", "-"], Row(output, "fork"));
        var lines = output.Split('\n');
        Assert.True(Array.FindIndex(lines, l => l.StartsWith("open ", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.StartsWith("read ", StringComparison.Ordinal)), "run 1's costliest service comes first");
    }

    [Fact]
    public void Three_runs_are_side_by_side_and_nine_are_refused()
    {
        string root = Repo.TempDir("report");
        string bare = RunFolder(root, "bare", Bare);
        string disco = RunFolder(root, "disco", Virtual);
        string third = RunFolder(root, "third", Virtual.Replace("engineering-disco", "engineering-2vm", StringComparison.Ordinal));
        string plot = Path.Combine(root, "three.png");
        var (exit, output, err) = CliRunner.Run("report", bare, disco, third, "--plot", plot);
        Assert.True(exit == 0, err);
        Assert.Equal(["scenario", "engineering-bare", "engineering-disco", "engineering-2vm"], Row(output, "scenario"));
        Assert.Equal(["total", "1.000000", "100.0", "100.0", "1.500000", "100.0", "150.0", "1.500000", "100.0", "150.0"], Row(output, "total"));
        Assert.True(File.Exists(plot));

        var nine = CliRunner.Run(["report", .. Enumerable.Repeat(bare, 9), "--no-plot"]);
        Assert.Equal(2, nine.Exit);
        Assert.Contains("at most 8 runs", nine.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Headline_counters_are_side_by_side()
    {
        string root = Repo.TempDir("report");
        var (_, output, _) = CliRunner.Run("report", RunFolder(root, "bare", Bare), RunFolder(root, "disco", Virtual), "--no-plot");
        Assert.Equal(["scenario", "engineering-bare", "engineering-disco"], Row(output, "scenario"));
        Assert.Equal(["l2tlb_hits", "0", "3,000"], Row(output, "l2tlb_hits"));
        Assert.Equal(["vms", "0", "2"], Row(output, "vms"));
        Assert.DoesNotContain("pages end/peak", output, StringComparison.Ordinal); // no memory_pages in these summaries
        Assert.Equal(["sim", "time", "(s)", "0.250000", "0.375000"], Row(output, "sim time (s)"));
    }

    [Fact]
    public void Lock_waits_sum_the_bare_guests_and_the_VCPUs_counters_and_appear_only_when_used()
    {
        string root = Repo.TempDir("report");
        string smp = Bare.Replace("\"vms\": []", """
            "vms": [], "counters": { "hw.processor": { "hw.lock.acquires": 30, "hw.lock.spin_ps": 2500000000,
              "guest.region_sem.acquisitions": 7, "guest.region_sem.wait_ps": 1000000, "guest.process_moves": 4 }, "guest.semaphore": { "guest.region_sem.grants": 7 } }
            """, StringComparison.Ordinal);
        string vm = Virtual.Replace("\"vms\": [", """
            "counters": { "hw.processor": { "hw.lock.acquires": 12, "hw.lock.spin_ps": 500000000, "monitor.library_os_faults": 5 }, "monitor.pages": { "disk_writes.private": 3 } }, "vms": [
            """, StringComparison.Ordinal);
        var (exit, output, err) = CliRunner.Run("report", RunFolder(root, "smp", smp), RunFolder(root, "vm", vm), "--no-plot");
        Assert.True(exit == 0, err);
        Assert.Equal(["memlock", "acquisitions", "30", "12"], Row(output, "memlock acquisitions"));
        Assert.Equal(["memlock", "spin", "(ms)", "2.500", "0.500"], Row(output, "memlock spin (ms)"));
        Assert.Equal(["region_sem", "wait", "(ms)", "0.001", "0.000"], Row(output, "region_sem wait (ms)"));
        Assert.Equal(["library_os_faults", "0", "5"], Row(output, "library_os_faults"));
        Assert.Equal(["process", "moves", "4", "0"], Row(output, "process moves"));
        Assert.Equal(["disk", "writes", "private", "0", "3"], Row(output, "disk writes private"));

        var (_, plain, _) = CliRunner.Run("report", RunFolder(root, "bare", Bare), RunFolder(root, "disco", Virtual), "--no-plot");
        Assert.DoesNotContain("memlock", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("disk writes", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void The_chart_goes_to_the_first_run_folder_as_a_png()
    {
        string root = Repo.TempDir("report");
        string bare = RunFolder(root, "bare", Bare);
        var (exit, output, err) = CliRunner.Run("report", bare, RunFolder(root, "disco", Virtual));
        Assert.True(exit == 0, err);
        string png = Path.Combine(bare, "report.png");
        Assert.Contains($"plot: {png}", output, StringComparison.Ordinal);
        Assert.Equal(PngSignature, File.ReadAllBytes(png)[..PngSignature.Length]);
        Assert.Empty(Directory.GetFiles(bare, "*.tmp"));
    }

    [Fact]
    public void Plot_chooses_the_file_and_no_plot_writes_none()
    {
        string root = Repo.TempDir("report");
        string bare = RunFolder(root, "bare", Bare);
        string chosen = Path.Combine(root, "breakdown.png");
        Assert.Equal(0, CliRunner.Run("report", bare, "--plot", chosen).Exit);
        Assert.Equal(PngSignature, File.ReadAllBytes(chosen)[..PngSignature.Length]);
        Assert.False(File.Exists(Path.Combine(bare, "report.png")));

        var (exit, output, _) = CliRunner.Run("report", bare, "--no-plot");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("plot:", output, StringComparison.Ordinal);
        Assert.Equal(["summary.json"], Directory.GetFiles(bare).Select(Path.GetFileName));
    }

    [Fact]
    public void A_run_without_processor_time_reports_and_draws_no_chart()
    {
        string root = Repo.TempDir("report");
        string phold = RunFolder(root, "phold", """{ "scenario": "phold", "model": "phold", "cpu_time_ps": { "user": 0, "kernel": 0, "monitor": 0, "idle": 0, "stall": 0 } }""");
        var (exit, output, err) = CliRunner.Run("report", phold);
        Assert.True(exit == 0, err);
        Assert.Contains("guest kernel services: none", output, StringComparison.Ordinal);
        Assert.Contains("plot: none", output, StringComparison.Ordinal);
        Assert.Equal(["total", "0.000000", "0.0", "-"], Row(output, "total"));
        Assert.False(File.Exists(Path.Combine(phold, "report.png")));
    }

    private static void AssertBadInput(string[] args, string names, string plotFolder)
    {
        var (exit, output, err) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("disco: ", line, StringComparison.Ordinal);
        Assert.Contains(names, line, StringComparison.Ordinal);
        Assert.Equal("", output);
        if (Directory.Exists(plotFolder))
        {
            Assert.Empty(Directory.GetFiles(plotFolder, "*.png*"));
        }
    }

    [Fact]
    public void A_missing_folder_is_named()
    {
        string root = Repo.TempDir("report");
        string missing = Path.Combine(root, "nowhere");
        AssertBadInput(["report", RunFolder(root, "bare", Bare), missing], $"{missing}: no such run folder", Path.Combine(root, "bare"));
    }

    [Fact]
    public void A_folder_without_a_summary_is_named()
    {
        string root = Repo.TempDir("report");
        string empty = RunFolder(root, "empty", null);
        AssertBadInput(["report", empty], Path.Combine(empty, "summary.json"), empty);
    }

    [Fact]
    public void Malformed_json_names_the_file_and_line()
    {
        string root = Repo.TempDir("report");
        string bad = RunFolder(root, "bad", "{\n  \"cpu_time_ps\": {\n    \"user\": 1,,\n}\n");
        AssertBadInput(["report", bad], $"{Path.Combine(bad, "summary.json")}:3: malformed JSON", bad);
    }

    [Fact]
    public void A_summary_without_cpu_time_is_refused()
    {
        string root = Repo.TempDir("report");
        string bare = RunFolder(root, "bare", Bare);
        string old = RunFolder(root, "old", """{ "digest": "0123456789abcdef", "events": 12 }""");
        AssertBadInput(["report", bare, old], $"{Path.Combine(old, "summary.json")}: no cpu_time_ps", bare);
    }

    [Fact]
    public void A_cpu_bucket_that_is_not_an_integer_is_named()
    {
        string root = Repo.TempDir("report");
        string bad = RunFolder(root, "bad", """{ "cpu_time_ps": { "user": "lots" } }""");
        AssertBadInput(["report", bad], "cpu_time_ps.user is not an integer", bad);
    }

    [Fact]
    public void An_unwritable_plot_path_is_refused()
    {
        string root = Repo.TempDir("report");
        string bare = RunFolder(root, "bare", Bare);
        string plot = Path.Combine(root, "no-such-folder", "chart.png");
        AssertBadInput(["report", bare, "--plot", plot], plot, bare);
        Assert.False(Directory.Exists(Path.Combine(root, "no-such-folder")));
    }

    [Fact]
    public void Plot_and_no_plot_together_are_refused()
    {
        string root = Repo.TempDir("report");
        string bare = RunFolder(root, "bare", Bare);
        AssertBadInput(["report", bare, "--no-plot", "--plot", Path.Combine(root, "x.png")], "--plot", bare);
    }
}
