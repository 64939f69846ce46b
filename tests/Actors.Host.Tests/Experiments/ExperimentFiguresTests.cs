using System.Xml.Linq;
using Disco.Actors.Host.Experiments;
using Disco.Actors.Host.Tests.Cli;
using Disco.Actors.Testing;
using SkiaSharp;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>
/// The tiny study, each configuration twice (<c>--repeat 2</c>): every figure decodes as a picture, and the series
/// behind it are what results.csv holds, recomputed here from its columns by the paper's definitions.
/// </summary>
public class ExperimentFiguresTests : IClassFixture<ExperimentFiguresTests.Study>
{
    private const double PageMb = 4096.0 / (1024 * 1024);
    private static readonly int[] Repetitions = [1, 2];
    private static readonly (string, int)[] Modes = [("user", 0), ("kernel", 1), ("monitor", 2)];
    private static readonly string[] Groups = ["pmake", "pmake", "smp"];
    private static readonly string[] Buckets = ["user", "kernel", "monitor", "idle", "stall"];
    private static readonly string[] Seeds = ["1", "2", "1", "2", "1", "2"];
    private readonly Study _study;

    public ExperimentFiguresTests(Study study) => _study = study;

    /// <summary>Runs the study once for every test of the class.</summary>
    public sealed class Study
    {
        public Study()
        {
            Dir = Path.Combine(Repo.TempDir("figures"), "exp");
            const string calibration = "tables = [table2, table3, calibration]\n targets = [{ group = pmake, service = demand_zero, share = 30, average-us = 21, source = \"[D Table 2]\" }]";
            var run = CliRunner.Run("experiment", TinyExperiment.Write(extraTopKeys: calibration), "--out", Dir, "--scale", "small", "--repeat", "2", "--jobs", "2");
            Exit = run.Exit;
            Err = run.Err;
            Results = Exit == 0 ? ResultsTable.Read(Path.Combine(Dir, ResultsTable.FileName)) : null;
        }

        public string Dir { get; }

        public int Exit { get; }

        public string Err { get; }

        internal ResultsTable? Results { get; }
    }

    private ResultsTable Results => _study.Results ?? throw new InvalidOperationException(_study.Err);

    private static double Col(IReadOnlyDictionary<string, string> row, string column) => ResultsTable.Number(row, column);

    /// <summary>A counter summed over the component kinds of <c>counters</c>, per-VM copies left out.</summary>
    private static double Counter(IReadOnlyDictionary<string, string> row, string name) =>
        row.Where(kv => kv.Key.StartsWith("counters.", StringComparison.Ordinal) && kv.Key.EndsWith("." + name, StringComparison.Ordinal) && !kv.Key.Contains(".vm.", StringComparison.Ordinal))
            .Sum(kv => Col(row, kv.Key));

    private IReadOnlyDictionary<string, string> Row(string config, int repetition) =>
        Results.Rows.Single(r => r["config"] == config && r["repetition"] == repetition.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>All the processor time of a run: the five buckets.</summary>
    private static double Total(IReadOnlyDictionary<string, string> row) =>
        Buckets.Sum(b => Col(row, $"cpu_time_ps.{b}"));

    [Fact]
    public void Every_configuration_ran_twice_each_run_with_its_own_seed_and_digest()
    {
        Assert.Equal(6, Results.Rows.Count);
        Assert.Equal(6, Results.Rows.Select(r => r["run"]).Distinct().Count());
        Assert.Equal(6, Results.Rows.Select(r => r["digest"]).Distinct().Count());
        Assert.Equal(Seeds, Results.Rows.Select(r => r["seed"]));
        string report = File.ReadAllText(Path.Combine(_study.Dir, "REPORT.md"));
        foreach (var row in Results.Rows)
        {
            Assert.Contains(row["digest"], report, StringComparison.Ordinal);
            Assert.Contains(row["config_hash"], report, StringComparison.Ordinal);
        }

        Assert.Contains("Mean ± 95% confidence interval", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("figure5")]
    [InlineData("figure6")]
    [InlineData("figure7")]
    [InlineData("figure8")]
    public void A_figure_decodes_as_PNG_and_SVG(string figure)
    {
        using var bitmap = SKBitmap.Decode(Path.Combine(_study.Dir, figure + ".png"));
        Assert.NotNull(bitmap);
        Assert.True(bitmap.Width >= 600 && bitmap.Height >= 400);
        var svg = XDocument.Load(Path.Combine(_study.Dir, figure + ".svg"));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains($"![", File.ReadAllText(Path.Combine(_study.Dir, "REPORT.md")), StringComparison.Ordinal);
        Assert.Contains($"({figure}.png)", File.ReadAllText(Path.Combine(_study.Dir, "REPORT.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Figure_5_plots_each_mode_with_its_stall_normalized_to_the_bare_run_of_the_same_repetition()
    {
        var chart = StudyOutputs.Chart("figure5", Results);
        Assert.Equal(Groups, chart.Bars.Select(b => b.Group));
        var disco = chart.Bars[1];
        foreach (var (segment, index) in Modes)
        {
            double expected = Repetitions.Average(r =>
                100 * (Col(Row("disco", r), $"cpu_time_ps.{segment}") + Counter(Row("disco", r), $"cpu_time_ps.stall_{segment}")) / Total(Row("irix", r)));
            Assert.Equal(expected, disco.Segments[index].Mean, 6);
        }

        double total = Repetitions.Average(r => 100 * Total(Row("disco", r)) / Total(Row("irix", r)));
        Assert.Equal(total, disco.Total.Mean, 6);
        Assert.Equal(100, chart.Bars[0].Total.Mean, 6);
        Assert.Equal(0, chart.Bars[0].Total.HalfWidth, 6);
        Assert.True(disco.Total.Mean > 100, "Disco is slower than bare hardware");
        Assert.Equal(2, disco.Total.Runs);
    }

    [Fact]
    public void Figure_6_plots_the_guest_and_machine_footprints_in_MB()
    {
        var chart = StudyOutputs.Chart("figure6", Results);
        Assert.Equal(6, chart.Bars.Count);
        var machine = chart.Bars[5];
        Assert.Equal(("2VM", "M"), (machine.Group, machine.Label));
        for (int s = 0; s < StudyFigures.Figure6Segments.Length; s++)
        {
            string kind = StudyFigures.Figure6Segments[s];
            Assert.Equal(Repetitions.Average(r => Col(Row("two-vms", r), $"footprint.machine.{kind}") * PageMb), machine.Segments[s].Mean, 9);
            Assert.Equal(Repetitions.Average(r => Col(Row("two-vms", r), $"footprint.guest.{kind}") * PageMb), chart.Bars[4].Segments[s].Mean, 9);
        }

        Assert.True(machine.Total.Mean > 0);
    }

    [Fact]
    public void Figure_7_splits_the_same_totals_as_figure_5_into_sync_and_user_stall()
    {
        var five = StudyOutputs.Chart("figure5", Results);
        var seven = StudyOutputs.Chart("figure7", Results);
        for (int b = 0; b < five.Bars.Count; b++)
        {
            Assert.Equal(five.Bars[b].Total.Mean, seven.Bars[b].Total.Mean, 6);
            Assert.All(seven.Bars[b].Segments, s => Assert.True(s.Mean >= 0));
        }

        var smp = seven.Bars[2];
        var row = Row("two-vms", 1);
        double userStall = Repetitions.Average(r => 100 * Counter(Row("two-vms", r), "cpu_time_ps.stall_user") / Total(Row("two-vms", r)));
        Assert.Equal(userStall, smp.Segments[1].Mean, 6);
        double sync = Repetitions.Average(r => 100 * (Counter(Row("two-vms", r), "hw.lock.spin_ps") + Counter(Row("two-vms", r), "monitor.region_sem_wait_ps")) / Total(Row("two-vms", r)));
        Assert.Equal(sync, smp.Segments[3].Mean, 6);
        Assert.True(Counter(row, "hw.lock.spin_ps") > 0, "two SMP VMs of four VCPUs spin on their kernel lock");
    }

    [Fact]
    public void Table_2_splits_each_services_slowdown_into_parts_that_add_up_to_it()
    {
        string report = File.ReadAllText(Path.Combine(_study.Dir, "REPORT.md"));
        string table2 = report[report.IndexOf("## Table 2", StringComparison.Ordinal)..];
        table2 = table2[..table2.IndexOf("\n## ", StringComparison.Ordinal)];
        var rows = table2.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| service", StringComparison.Ordinal)).ToList();
        static double Mean(string cell) => double.Parse(cell.Split('±')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        int checkedRows = 0;
        foreach (string row in rows.Where(r => !r.StartsWith("|---", StringComparison.Ordinal)))
        {
            var cells = row.Trim('|').Split('|');
            if (cells.Length < 6 || Mean(cells[4]) == 0)
            {
                continue;
            }

            // Seven parts each rounded to 2 decimals.
            Assert.True(Math.Abs(cells.Skip(5).Sum(Mean) - Mean(cells[4])) <= 0.04, row);
            checkedRows++;
        }

        Assert.True(checkedRows >= 5, $"{checkedRows} services with a slowdown in Table 2");
    }

    [Fact]
    public void The_calibration_table_sets_each_targeted_service_against_its_published_figure()
    {
        string report = File.ReadAllText(Path.Combine(_study.Dir, "REPORT.md"));
        string row = report.Split('\n').Single(l => l.StartsWith("| pmake | demand_zero |", StringComparison.Ordinal));
        var cells = row.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
        double share = Repetitions.Average(r =>
        {
            var irix = Row("irix", r);
            double all = irix.Where(kv => kv.Key.StartsWith("services.", StringComparison.Ordinal) && kv.Key.EndsWith(".time_ps", StringComparison.Ordinal)).Sum(kv => double.Parse(kv.Value, System.Globalization.CultureInfo.InvariantCulture));
            return 100 * ResultsTable.Number(irix, "services.demand_zero.time_ps") / all;
        });
        Assert.Equal(share, double.Parse(cells[2].Split('±')[0], System.Globalization.CultureInfo.InvariantCulture), 1);
        Assert.Equal("30.0", cells[3]);
        Assert.Equal(Math.Abs(share - 30) <= 5 ? "yes" : "no", cells[4]);
        Assert.Contains("| run | user | kernel | idle | stall (user) | stall (kernel) | TLB misses / 1000 instr |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Figure_8_splits_the_same_totals_into_execution_local_and_remote_stall_monitor_and_idle()
    {
        var five = StudyOutputs.Chart("figure5", Results);
        var eight = StudyOutputs.Chart("figure8", Results);
        for (int b = 0; b < five.Bars.Count; b++)
        {
            Assert.Equal(five.Bars[b].Total.Mean, eight.Bars[b].Total.Mean, 6);
            Assert.All(eight.Bars[b].Segments, s => Assert.True(s.Mean >= 0));
        }

        var smp = eight.Bars[2];
        double remote = Repetitions.Average(r => 100 * Counter(Row("two-vms", r), "hw.stall_remote_ps") / Total(Row("two-vms", r)));
        double local = Repetitions.Average(r => 100 * (Col(Row("two-vms", r), "cpu_time_ps.stall") - Counter(Row("two-vms", r), "hw.stall_remote_ps")) / Total(Row("two-vms", r)));
        Assert.Equal(remote, smp.Segments[2].Mean, 6);
        Assert.Equal(local, smp.Segments[1].Mean, 6);
        Assert.True(remote > 0, "eight nodes: some misses go to another node's memory");
        Assert.Equal(0, eight.Bars[0].Segments[2].Mean, 6);

        double localMisses = Repetitions.Sum(r => Col(Row("two-vms", r), "cache_misses.local"));
        double allMisses = localMisses + Repetitions.Sum(r => Col(Row("two-vms", r), "cache_misses.remote"));
        Assert.Equal($"2VM ({100 * localMisses / allMisses:0}% local)", smp.Label);
        Assert.Equal("IRIX (100% local)", eight.Bars[0].Label);
    }

    [Fact]
    public void The_tables_are_in_the_report()
    {
        string report = File.ReadAllText(Path.Combine(_study.Dir, "REPORT.md"));
        Assert.Contains("## Table 2: guest kernel services", report, StringComparison.Ordinal);
        Assert.Contains("| demand_zero |", report, StringComparison.Ordinal);
        Assert.Contains("kernel_execution | tlb_write_emulation | other_privileged | monitor_calls_page_faults | kernel_tlb_faults |", report, StringComparison.Ordinal);
        Assert.Contains("## Table 3: hot-page actions", report, StringComparison.Ordinal);
        Assert.Contains("| smp 2VM (`two-vms`) | 0 ± 0 | 0.0 ± 0.0 | migration | 0 ± 0 | 0.0 ± 0.0 |", report, StringComparison.Ordinal);
    }
}
