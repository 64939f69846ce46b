using System.Globalization;
using System.Text;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// The paper's tables 2 and 3 as Markdown, from results.csv rows; each value the mean over repetitions with its 95%
/// confidence interval when there are several.
/// </summary>
internal static class StudyTables
{
    private const string ServicePrefix = "services.";

    /// <summary>
    /// Table 2: the guest kernel services of the first group with services (pmake when there is one), its first
    /// configuration (bare IRIX) against its second (Disco): share of the service time, average time, slowdown, and
    /// the Disco time's split when the model records one.
    /// </summary>
    public static string Table2(ResultsTable results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var configs = StudyFigures.Configs(results);
        var groups = configs.GroupBy(c => c.Group, StringComparer.Ordinal).Where(g => g.Count() >= 2 && Services(g.First().Rows[0]).Count > 0).ToList();
        var chosen = groups.FirstOrDefault(g => g.Key == "pmake") ?? groups.FirstOrDefault();
        var text = new StringBuilder("## Table 2: guest kernel services\n\n");
        if (chosen is null)
        {
            return text.Append("No group of this study has two configurations with kernel services to compare.\n").ToString();
        }

        var bare = chosen.First();
        var disco = chosen.Skip(1).First();
        var names = Services(bare.Rows[0]).Where(n => Number(bare.Rows[0], n, "count") > 0).ToList();
        const string Split = ".split.";
        var splits = disco.Rows[0].Keys.Where(k => k.StartsWith(ServicePrefix, StringComparison.Ordinal) && k.Contains(Split, StringComparison.Ordinal))
            .Select(k => k[(k.IndexOf(Split, StringComparison.Ordinal) + Split.Length)..]).Distinct(StringComparer.Ordinal)
            .OrderBy(w => WorkOrder(w)).ThenBy(w => w, StringComparer.Ordinal).ToList();
        text.Append(CultureInfo.InvariantCulture, $"Group {chosen.Key}: {bare.Label} (`{bare.Id}`) against {disco.Label} (`{disco.Id}`). Share = the service's part of all kernel service time on {bare.Label}; average = time per call; slowdown = {disco.Label}'s average over {bare.Label}'s");
        text.Append(splits.Count > 0
            ? $", split as the paper's relative execution time: what each call's time on {disco.Label} went to, over the average on {bare.Label} (the parts add up to the slowdown).\n\n"
            : ".\n\n");
        text.Append(CultureInfo.InvariantCulture, $"| service | share on {bare.Label} (%) | average on {bare.Label} (µs) | average on {disco.Label} (µs) | slowdown |");
        text.Append(string.Concat(splits.Select(s => $" {s} |"))).Append('\n');
        text.Append("|---|---:|---:|---:|---:|").Append(string.Concat(splits.Select(_ => "---:|"))).Append('\n');
        foreach (string name in names.OrderByDescending(n => bare.Rows.Average(r => Number(r, n, "time_ps"))))
        {
            var share = Estimate.Of([.. bare.Rows.Select(r => SharePct(r, name))]);
            var avgBare = Estimate.Of([.. bare.Rows.Select(r => Average(r, name))]);
            var avgDisco = Estimate.Of([.. disco.Rows.Select(r => Average(r, name))]);
            var slowdown = Estimate.Of([.. disco.Rows.Zip(bare.Rows, (d, b) => Average(b, name) > 0 ? Average(d, name) / Average(b, name) : 0)]);
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {share.Format()} | {avgBare.Format("F3")} | {avgDisco.Format("F3")} | {slowdown.Format("F2")} |");
            foreach (string work in splits)
            {
                var part = Estimate.Of([.. disco.Rows.Zip(bare.Rows, (d, b) => RelativePart(d, b, name, "split." + work))]);
                text.Append(CultureInfo.InvariantCulture, $" {part.Format("F2")} |");
            }

            text.Append('\n');
        }

        if (splits.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"\nNo split of a service's {disco.Label} time in these runs: the model records one (`services.<name>.split` in summary.json) only under the monitor.\n");
        }

        return text.ToString();
    }

    /// <summary>The hot-page actions of Table 3, as summary.json's <c>numa</c> block names them.</summary>
    private static readonly (string Kind, string Label)[] NumaActionKinds = [("migrations", "migration"), ("replications", "replication")];

    /// <summary>
    /// Table 3: hot-page actions per configuration [D Table 3]: hot-page interrupts, then per action its count, rate
    /// and average cost, split into its parts (the interrupt and policy on the interrupted processor, the TLB
    /// shootdown, the page copy), as far as results.csv holds them.
    /// </summary>
    public static string Table3(ResultsTable results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder("## Table 3: hot-page actions\n\n");
        text.Append("Hot-page interrupts the monitor took and the page migrations and replications it carried out, in all and per second of simulated time, with the average cost of each part of an action in µs (interrupt and policy: on the interrupted processor, per interrupt; shootdown: from the decision to the last acknowledgement; copy: the page copy through the caches). Runs without the monitor, or with `monitor.numa.enabled = false`, take no action.\n\n");
        text.Append("| configuration | hot-page interrupts / s | interrupt + policy (µs) | action | count | per s | shootdown (µs) | copy (µs) |\n|---|---:|---:|---|---:|---:|---:|---:|\n");
        foreach (var c in StudyFigures.Configs(results))
        {
            var interrupts = Estimate.Of([.. c.Rows.Select(r => PerSecond(r, "numa.interrupts"))]);
            var policy = Estimate.Of([.. c.Rows.Select(r => ResultsTable.Number(r, "numa.interrupt_policy_ps_average") / 1e6)]);
            foreach (var (kind, label) in NumaActionKinds)
            {
                var count = Estimate.Of([.. c.Rows.Select(r => ResultsTable.Number(r, kind))]);
                var rate = Estimate.Of([.. c.Rows.Select(r => PerSecond(r, kind))]);
                var shootdown = Estimate.Of([.. c.Rows.Select(r => ResultsTable.Number(r, $"numa.{kind}.shootdown_ps_average") / 1e6)]);
                var copy = Estimate.Of([.. c.Rows.Select(r => ResultsTable.Number(r, $"numa.{kind}.copy_ps_average") / 1e6)]);
                text.Append(CultureInfo.InvariantCulture, $"| {c.Group} {c.Label} (`{c.Id}`) | {interrupts.Format("F0")} | {policy.Format()} | {label} | {count.Format("F0")} | {rate.Format()} | {shootdown.Format()} | {copy.Format()} |\n");
            }
        }

        return text.ToString();
    }

    private static double PerSecond(IReadOnlyDictionary<string, string> row, string column)
    {
        double seconds = ResultsTable.Number(row, "sim_time_ps") / 1e12;
        return seconds > 0 ? ResultsTable.Number(row, column) / seconds : 0;
    }

    private static List<string> Services(IReadOnlyDictionary<string, string> row) =>
        [.. row.Keys.Where(k => k.StartsWith(ServicePrefix, StringComparison.Ordinal) && k.EndsWith(".count", StringComparison.Ordinal))
            .Select(k => k[ServicePrefix.Length..^".count".Length])];

    /// <summary>One part of a call's time on <paramref name="disco"/> over the average call on <paramref name="bare"/>.</summary>
    private static double RelativePart(IReadOnlyDictionary<string, string> disco, IReadOnlyDictionary<string, string> bare, string service, string field)
    {
        double count = Number(disco, service, "count");
        double bareAverage = Average(bare, service) * 1e6;
        return count > 0 && bareAverage > 0 ? Number(disco, service, field) / count / bareAverage : 0;
    }

    private static double Number(IReadOnlyDictionary<string, string> row, string service, string field) =>
        ResultsTable.Number(row, $"{ServicePrefix}{service}.{field}");

    /// <summary>Average time per call in µs.</summary>
    internal static double Average(IReadOnlyDictionary<string, string> row, string service)
    {
        double count = Number(row, service, "count");
        return count > 0 ? Number(row, service, "time_ps") / count / 1e6 : 0;
    }

    /// <summary>A service's share (%) of all kernel service time of a run.</summary>
    internal static double SharePct(IReadOnlyDictionary<string, string> row, string service) =>
        100 * Number(row, service, "time_ps") / Math.Max(1, Services(row).Sum(n => Number(row, n, "time_ps")));

    /// <summary>A split's parts in the paper's order [D Table 2] (<see cref="Monitor.Vcpus.MonitorWork"/>), then any other.</summary>
    private static int WorkOrder(string work) =>
        Monitor.Vcpus.MonitorWorks.All.ToList().IndexOf(work) is int i and >= 0 ? i : Monitor.Vcpus.MonitorWorks.Count;
}
