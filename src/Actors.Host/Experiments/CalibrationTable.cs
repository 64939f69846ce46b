using System.Globalization;
using System.Text;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// The bare baseline next to what it is calibrated on (issue 15): each workload's time breakdown and TLB misses per
/// thousand instructions, and each targeted kernel service's share and average time against the published figure,
/// with whether it is within the tolerance (share ±5 points, average ±30%).
/// </summary>
internal static class CalibrationTable
{
    public const double SharePoints = 5;
    public const double AverageTolerance = 0.30;

    private static readonly string[] Buckets = ["user", "kernel", "idle"];
    private static readonly string[] Workloads = ["engineering", "database", "pmake", "raytrace"];

    public static string Write(ResultsTable results, IReadOnlyList<ServiceTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(targets);
        var configs = StudyFigures.Configs(results);
        var text = new StringBuilder("## Calibration of the bare baseline\n\n");
        text.Append("Time breakdown (% of processor time; stall counted apart, in the mode that stalled) and TLB misses per thousand instructions.\n\n");
        text.Append("| run | user | kernel | idle | stall (user) | stall (kernel) | TLB misses / 1000 instr |\n|---|---:|---:|---:|---:|---:|---:|\n");
        var tlbRate = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var c in configs)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {c.Group} {c.Label} (`{c.Id}`) |");
            foreach (string bucket in Buckets)
            {
                text.Append(CultureInfo.InvariantCulture, $" {Share(c, r => ResultsTable.Number(r, $"cpu_time_ps.{bucket}")).Format()} |");
            }

            text.Append(CultureInfo.InvariantCulture, $" {Share(c, r => StudyFigures.Counter(r, "cpu_time_ps.stall_user")).Format()} |");
            text.Append(CultureInfo.InvariantCulture, $" {Share(c, r => StudyFigures.Counter(r, "cpu_time_ps.stall_kernel")).Format()} |");
            var rate = Estimate.Of([.. c.Rows.Select(TlbPerThousand)]);
            tlbRate[c.Group] = rate.Mean;
            text.Append(CultureInfo.InvariantCulture, $" {rate.Format("F2")} |\n");
        }

        if (Workloads.All(tlbRate.ContainsKey))
        {
            bool holds = Math.Min(tlbRate["engineering"], tlbRate["database"]) > Math.Max(tlbRate["pmake"], tlbRate["raytrace"]);
            text.Append(CultureInfo.InvariantCulture, $"\nTLB miss rates [D 5.2]: engineering and database above pmake and raytrace: {(holds ? "holds" : "does not hold")}.\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nKernel services against their published figures (share of all kernel service time; within ±{SharePoints:F0} points and ±{AverageTolerance * 100:F0}% of the average).\n\n");
        text.Append("| workload | service | share (%) | target share (%) | within | average (µs) | target average (µs) | within | source |\n|---|---|---:|---:|---|---:|---:|---|---|\n");
        foreach (var target in targets)
        {
            var config = configs.FirstOrDefault(c => c.Group == target.Group);
            if (config is null)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {target.Group} | {target.Service} | - | {target.SharePct:F1} | - | - | {target.AverageUs:F3} | - | {target.Source} |\n");
                continue;
            }

            var share = Estimate.Of([.. config.Rows.Select(r => StudyTables.SharePct(r, target.Service))]);
            var average = Estimate.Of([.. config.Rows.Select(r => StudyTables.Average(r, target.Service))]);
            bool shareOk = Math.Abs(share.Mean - target.SharePct) <= SharePoints;
            bool averageOk = Math.Abs(average.Mean - target.AverageUs) <= AverageTolerance * target.AverageUs;
            text.Append(CultureInfo.InvariantCulture, $"| {target.Group} | {target.Service} | {share.Format()} | {target.SharePct:F1} | {(shareOk ? "yes" : "no")} | {average.Format("F3")} | {target.AverageUs:F3} | {(averageOk ? "yes" : "no")} | {target.Source} |\n");
        }

        return text.ToString();
    }

    private static Estimate Share(StudyFigures.ConfigRows config, Func<IReadOnlyDictionary<string, string>, double> part) =>
        Estimate.Of([.. config.Rows.Select(r =>
        {
            double total = Hardware.Processor.CpuTimeBuckets.Names.Sum(b => ResultsTable.Number(r, $"cpu_time_ps.{b}"));
            return total > 0 ? 100 * part(r) / total : 0;
        })]);

    private static double TlbPerThousand(IReadOnlyDictionary<string, string> row)
    {
        double instructions = ResultsTable.Number(row, "instructions");
        return instructions > 0 ? 1000 * ResultsTable.Number(row, "tlb_misses") / instructions : 0;
    }
}
