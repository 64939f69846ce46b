namespace Disco.Actors.Host.Experiments;

/// <summary>
/// The paper's figures 5, 6 and 7 as numbers, computed from results.csv rows only (so what is drawn is what the
/// CSV holds). Times are normalized per repetition to the same repetition of the group's first configuration
/// (its total = 100), then averaged over repetitions.
/// </summary>
internal static class StudyFigures
{
    /// <summary>Figure 5's stack, bottom first: memory stall is counted in the mode that stalled.</summary>
    public static readonly string[] Figure5Segments = ["user", "kernel", "monitor", "idle"];

    /// <summary>Figure 7's stack, bottom first: user stall apart, kernel synchronization out of kernel and idle.</summary>
    public static readonly string[] Figure7Segments = ["user", "user stall", "kernel", "sync", "monitor", "idle"];

    /// <summary>Figure 6's stack, bottom first: where the pages of the guests (V) and of the machine (M) went.</summary>
    public static readonly string[] Figure6Segments = ["kernel_text", "kernel_data", "buffer_cache", "process", "monitor"];

    /// <summary>Figure 8's stack, bottom first: execution, memory stall by where the line came from, the monitor, idle.</summary>
    public static readonly string[] Figure8Segments = ["exec", "local stall", "remote stall", "monitor", "idle"];

    private const double PageMb = 4096.0 / (1024 * 1024);

    private static readonly (string Side, string Label)[] Sides = [("guest", "V"), ("machine", "M")];

    public static BarChart Figure5(ResultsTable results) =>
        Normalized(results, "figure5", "Figure 5: overhead of virtualization", Figure5Segments, Figure5Split,
            "Execution time normalized to the first configuration of each workload (= 100); memory stall counted in the mode that stalled.");

    public static BarChart Figure7(ResultsTable results) =>
        Normalized(results, "figure7", "Figure 7: scalability", Figure7Segments, Figure7Split,
            "Execution time normalized to the first configuration of each workload (= 100); sync = guest kernel lock spinning (out of kernel) and semaphore sleeps (out of idle); user stall = memory stall of user code; kernel and monitor include their own stall.");

    /// <summary>
    /// Figure 8: each bar's label carries the share of its cache misses served by the local node, as the paper
    /// prints it under each bar.
    /// </summary>
    public static BarChart Figure8(ResultsTable results)
    {
        var chart = Normalized(results, "figure8", "Figure 8: page migration and replication", Figure8Segments, Figure8Split,
            "Execution time normalized to the first configuration of each workload (IRIX on the NUMA machine = 100); exec = user and kernel instructions; stall split by the home of the missed line (every mode's stall); monitor = Disco's own time; the label gives the share of cache misses served locally.");
        var configs = Configs(results);
        var bars = chart.Bars.Select((bar, i) => bar with { Label = $"{bar.Label} ({LocalMissPct(configs[i].Rows):0}% local)" }).ToList();
        return chart with { Bars = bars };
    }

    /// <summary>The share of L2 misses served by the missing processor's own node, over the repetitions.</summary>
    public static double LocalMissPct(IEnumerable<IReadOnlyDictionary<string, string>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        double local = 0, remote = 0;
        foreach (var row in rows)
        {
            local += ResultsTable.Number(row, "cache_misses.local");
            remote += ResultsTable.Number(row, "cache_misses.remote");
        }

        return local + remote > 0 ? 100 * local / (local + remote) : 0;
    }

    /// <summary>Figure 8's segments of one run (ps).</summary>
    public static double[] Figure8Split(IReadOnlyDictionary<string, string> row)
    {
        double stall = Cpu(row, "stall");
        double remote = Math.Min(Counter(row, "hw.stall_remote_ps"), stall);
        return
        [
            Cpu(row, "user") + Cpu(row, "kernel"),
            stall - remote,
            remote,
            Cpu(row, "monitor"),
            Cpu(row, "idle"),
        ];
    }

    public static BarChart Figure6(ResultsTable results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var bars = new List<ChartBar>();
        var configs = Configs(results);
        bool labelsUnique = configs.Select(c => c.Label).Distinct(StringComparer.Ordinal).Count() == configs.Count;
        foreach (var config in configs)
        {
            foreach (var (side, label) in Sides)
            {
                var perRun = config.Rows.Select(r => Figure6Segments.Select(k => ResultsTable.Number(r, $"footprint.{side}.{k}") * PageMb).ToArray()).ToList();
                bars.Add(Bar(labelsUnique ? config.Label : $"{config.Group} {config.Label}", label, perRun));
            }
        }

        return new BarChart("figure6", "Figure 6: memory footprint", "footprint (MB)", Figure6Segments, bars,
            "V: guest-physical pages of all guests (what they would need without sharing); M: machine pages actually used. Kernel text and data, buffer cache, process pages and the monitor's own pages, at the end of the run.");
    }

    /// <summary>
    /// Sums a counter over every component kind of <c>counters</c> (it may move between kinds), leaving out per-VM
    /// copies (<c>vm.&lt;id&gt;.*</c>), which count the same time again.
    /// </summary>
    public static double Counter(IReadOnlyDictionary<string, string> row, string name)
    {
        ArgumentNullException.ThrowIfNull(row);
        string suffix = "." + name;
        return row.Where(kv => kv.Key.StartsWith("counters.", StringComparison.Ordinal) && kv.Key.EndsWith(suffix, StringComparison.Ordinal)
                && !kv.Key[..^suffix.Length].Contains(".vm.", StringComparison.Ordinal))
            .Sum(kv => ResultsTable.Number(row, kv.Key));
    }

    /// <summary>Figure 5's segments of one run (ps): each mode with its own stall, idle.</summary>
    public static double[] Figure5Split(IReadOnlyDictionary<string, string> row) =>
    [
        Cpu(row, "user") + Counter(row, "cpu_time_ps.stall_user"),
        Cpu(row, "kernel") + Counter(row, "cpu_time_ps.stall_kernel"),
        Cpu(row, "monitor") + Counter(row, "cpu_time_ps.stall_monitor"),
        Cpu(row, "idle"),
    ];

    /// <summary>Figure 7's segments of one run (ps).</summary>
    public static double[] Figure7Split(IReadOnlyDictionary<string, string> row)
    {
        // Spinning on the kernel lock is charged as kernel time, sleeping on a semaphore as idle time: the paper
        // shows both as synchronization. The processors count the spin (hw.lock.spin_ps); semaphore waits under Disco the VCPUs count (monitor.*), on bare hardware the guest.
        double spin = Counter(row, "hw.lock.spin_ps");
        double sleep = Counter(row, "guest.region_sem.wait_ps") + Counter(row, "monitor.region_sem_wait_ps");
        double kernel = Cpu(row, "kernel") + Counter(row, "cpu_time_ps.stall_kernel");
        double idle = Cpu(row, "idle");
        spin = Math.Min(spin, kernel);
        sleep = Math.Min(sleep, idle);
        return
        [
            Cpu(row, "user"),
            Counter(row, "cpu_time_ps.stall_user"),
            kernel - spin,
            spin + sleep,
            Cpu(row, "monitor") + Counter(row, "cpu_time_ps.stall_monitor"),
            idle - sleep,
        ];
    }

    private static double Cpu(IReadOnlyDictionary<string, string> row, string bucket) => ResultsTable.Number(row, $"cpu_time_ps.{bucket}");

    private static BarChart Normalized(ResultsTable results, string name, string title, string[] segments, Func<IReadOnlyDictionary<string, string>, double[]> split, string note)
    {
        ArgumentNullException.ThrowIfNull(results);
        var bars = new List<ChartBar>();
        var configs = Configs(results);
        foreach (var config in configs)
        {
            var reference = configs.First(c => c.Group == config.Group);
            var perRun = new List<double[]>();
            for (int r = 0; r < config.Rows.Count; r++)
            {
                // Paired: repetition r against the reference's repetition r (same seed offset).
                double total = split(reference.Rows[Math.Min(r, reference.Rows.Count - 1)]).Sum();
                perRun.Add([.. split(config.Rows[r]).Select(v => total > 0 ? 100 * v / total : 0)]);
            }

            bars.Add(Bar(config.Group, config.Label, perRun));
        }

        return new BarChart(name, title, "normalized execution time (first of each group = 100)", segments, bars, note);
    }

    private static ChartBar Bar(string group, string label, List<double[]> perRun) =>
        new(
            group,
            label,
            [.. Enumerable.Range(0, perRun.Count == 0 ? 0 : perRun[0].Length).Select(s => Estimate.Of([.. perRun.Select(v => v[s])]))],
            Estimate.Of([.. perRun.Select(v => v.Sum())]));

    /// <summary>The configurations in results.csv's order, each with its rows by repetition.</summary>
    public static List<ConfigRows> Configs(ResultsTable results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return [.. results.Rows
            .GroupBy(r => r.GetValueOrDefault("config", ""), StringComparer.Ordinal)
            .Select(g => new ConfigRows(g.Key, g.First().GetValueOrDefault("group", g.Key), g.First().GetValueOrDefault("label", g.Key), [.. g.OrderBy(r => ResultsTable.Number(r, "repetition"))]))];
    }

    internal sealed record ConfigRows(string Id, string Group, string Label, IReadOnlyList<IReadOnlyDictionary<string, string>> Rows);
}
