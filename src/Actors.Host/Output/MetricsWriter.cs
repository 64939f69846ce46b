using System.Globalization;
using Disco.Actors.Engine.Run;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Host.Output;

/// <summary>
/// <c>metrics.csv</c>: one row per sample (simulated time), one column per counter of summary.json summed over
/// components; resumed as a <see cref="TimeSeriesCsv"/>.
/// </summary>
internal sealed class MetricsWriter : IDisposable
{
    public static readonly string[] Columns =
    [
        "events",
        .. CpuTimeBuckets.Names.Select(b => $"{CpuTimeBuckets.StatPrefix}.{b}"),
        "instructions", "loads", "stores", "tlb_misses", "l2tlb_hits", "cache_misses.local", "cache_misses.remote",
        "page_faults", "migrations", "replications", "memory_pages.guest", "memory_pages.machine",
        "disk_requests.issued", "disk_requests.shared",
    ];

    private readonly StreamWriter _writer;

    private MetricsWriter(StreamWriter writer) => _writer = writer;

    public string Path { get; private init; } = "";

    /// <summary>Opens <c>metrics.csv</c> in <paramref name="directory"/>, keeping only rows up to <paramref name="keepUntilPs"/>.</summary>
    public static MetricsWriter Open(string directory, long keepUntilPs)
    {
        string path = System.IO.Path.Combine(directory, "metrics.csv");
        var writer = TimeSeriesCsv.Restart(path, "sim_time_ps," + string.Join(',', Columns), keepUntilPs);
        return new MetricsWriter(writer) { Path = path };
    }

    public void Sample(long timePs, IReadOnlyList<ComponentReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var sums = new long[Columns.Length];
        foreach (var r in reports)
        {
            sums[0] += r.Handled;
            for (int i = 1; i < Columns.Length; i++)
            {
                sums[i] += r.Counters.GetValueOrDefault(Columns[i]);
            }
        }

        _writer.Write(timePs.ToString(CultureInfo.InvariantCulture));
        foreach (long v in sums)
        {
            _writer.Write(',');
            _writer.Write(v.ToString(CultureInfo.InvariantCulture));
        }

        _writer.WriteLine();
        _writer.Flush(); // a run that dies keeps every sample it took
    }

    public void Dispose() => _writer.Dispose();
}
