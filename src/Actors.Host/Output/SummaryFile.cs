using System.Text.Json;
using System.Text.Json.Nodes;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Output;

/// <summary>
/// What <c>disco report</c> reads from a run folder's <c>summary.json</c>. Only <c>cpu_time_ps</c> is required: the
/// breakdown is the point of the report. Other keys default to 0 (or "?"), so summaries written before a key
/// existed still report.
/// </summary>
internal sealed record SummaryFile(
    string Folder,
    string Path,
    string Scenario,
    string Model,
    long SimTimePs,
    long Instructions,
    long TlbMisses,
    long L2TlbHits,
    long PageFaults,
    int Vms,
    TimeBreakdown CpuTime,
    IReadOnlyList<ServiceFigures> Services)
{
    /// <summary>Pages by kind (<see cref="RunSummary.FootprintKinds"/>), guest and machine; all 0 for runs without VMs.</summary>
    public IReadOnlyList<long> GuestFootprint { get; init; } = new long[RunSummary.FootprintKinds.Length];

    public IReadOnlyList<long> MachineFootprint { get; init; } = new long[RunSummary.FootprintKinds.Length];

    /// <summary>The same at the peak (<c>footprint.&lt;side&gt;.peak</c>); all 0 in summaries written before it existed.</summary>
    public IReadOnlyList<long> GuestFootprintPeak { get; init; } = new long[RunSummary.FootprintKinds.Length];

    public IReadOnlyList<long> MachineFootprintPeak { get; init; } = new long[RunSummary.FootprintKinds.Length];

    public long DiskIssued { get; init; }

    public long DiskShared { get; init; }

    /// <summary><c>memory_pages</c>: guest and machine pages at the end of the run and at their peaks.</summary>
    public IReadOnlyList<long> MemoryPages { get; init; } = new long[MemoryPageKeys.Length];

    public static readonly string[] MemoryPageKeys = ["guest", "machine", "guest_peak", "machine_peak"];

    /// <summary>
    /// Raw counters summed over the component kinds of <c>counters</c> (e.g. <c>hw.lock.spin_ps</c> of every
    /// processor); absent names read 0.
    /// </summary>
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();

    public long Counter(string name) => Counters.GetValueOrDefault(name);

    /// <summary>Reads <c>&lt;folder&gt;/summary.json</c>; anything wrong with it is bad input naming the file.</summary>
    public static SummaryFile Load(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new BadInputException(folder, "no such run folder");
        }

        string path = System.IO.Path.Combine(folder, "summary.json");
        if (!File.Exists(path))
        {
            throw new BadInputException(path, "no such file (not a finished run?)");
        }

        JsonObject summary;
        try
        {
            summary = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new BadInputException(path, "not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new BadInputException($"{path}:{(ex.LineNumber ?? 0) + 1}", "malformed JSON");
        }

        if (summary["cpu_time_ps"] is not JsonObject cpu)
        {
            throw new BadInputException(path, "no cpu_time_ps object (not a disco run summary?)");
        }

        var buckets = TimeBreakdown.Buckets.Select(b => Number(path, cpu, b, $"cpu_time_ps.{b}")).ToArray();
        return new SummaryFile(
            folder,
            path,
            Text(summary, "scenario"),
            Text(summary, "model"),
            Number(path, summary, "sim_time_ps"),
            Number(path, summary, "instructions"),
            Number(path, summary, "tlb_misses"),
            Number(path, summary, "l2tlb_hits"),
            Number(path, summary, "page_faults"),
            (summary["vms"] as JsonArray)?.Count ?? 0,
            new TimeBreakdown(buckets),
            ReadServices(path, summary))
        {
            GuestFootprint = Footprint(path, summary, "guest"),
            MachineFootprint = Footprint(path, summary, "machine"),
            GuestFootprintPeak = Footprint(path, summary, "guest", peak: true),
            MachineFootprintPeak = Footprint(path, summary, "machine", peak: true),
            DiskIssued = summary["disk_requests"] is JsonObject d ? Number(path, d, "issued", "disk_requests.issued") : 0,
            DiskShared = summary["disk_requests"] is JsonObject e ? Number(path, e, "shared", "disk_requests.shared") : 0,
            Counters = ReadCounters(path, summary),
            MemoryPages = [.. MemoryPageKeys.Select(k => summary["memory_pages"] is JsonObject m ? Number(path, m, k, $"memory_pages.{k}") : 0)],
        };
    }

    private static Dictionary<string, long> ReadCounters(string path, JsonObject summary)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        if (summary["counters"] is not JsonObject groups)
        {
            return sums;
        }

        foreach (var (group, node) in groups)
        {
            if (node is not JsonObject counters)
            {
                continue;
            }

            foreach (var (name, value) in counters)
            {
                if (value is JsonValue v && v.TryGetValue(out long n))
                {
                    sums[name] = sums.GetValueOrDefault(name) + n;
                }
                else if (value is not null && value is not JsonValue)
                {
                    throw new BadInputException(path, $"counters.{group}.{name} is not a number");
                }
            }
        }

        return sums;
    }

    private static long[] Footprint(string path, JsonObject summary, string side, bool peak = false)
    {
        var o = summary["footprint"]?[side] as JsonObject;
        o = peak ? o?["peak"] as JsonObject : o;
        string at = peak ? $"footprint.{side}.peak" : $"footprint.{side}";
        return [.. RunSummary.FootprintKinds.Select(k => o is null ? 0 : Number(path, o, k, $"{at}.{k}"))];
    }

    private static List<ServiceFigures> ReadServices(string path, JsonObject summary)
    {
        var services = new List<ServiceFigures>();
        if (summary["services"] is not JsonObject all)
        {
            return services;
        }

        foreach (var (name, node) in all)
        {
            if (node is not JsonObject service)
            {
                throw new BadInputException(path, $"services.{name} is not an object");
            }

            var split = service["split"] is JsonObject parts
                ? parts.Select(p => KeyValuePair.Create(p.Key, Number(path, parts, p.Key, $"services.{name}.split.{p.Key}"))).ToList()
                : [];
            services.Add(new ServiceFigures(name, Number(path, service, "count", $"services.{name}.count"), Number(path, service, "time_ps", $"services.{name}.time_ps"), split));
        }

        return services;
    }

    private static string Text(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : "?";

    /// <summary>An integer key, 0 when absent; any other kind of value is bad input naming the key.</summary>
    private static long Number(string path, JsonObject o, string key, string? keyPath = null)
    {
        var node = o[key];
        if (node is null)
        {
            return 0;
        }

        if (node is JsonValue v && v.TryGetValue(out long n))
        {
            return n;
        }

        throw new BadInputException(path, $"{keyPath ?? key} is not an integer");
    }
}
