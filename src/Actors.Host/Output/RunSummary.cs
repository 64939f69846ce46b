using Disco.Actors.Engine.Kernel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Disco.Actors.Engine.Run;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Host.Output;

/// <summary>
/// <c>summary.json</c>: the keys DESIGN.md section 9 fixes (tools read them by name), then every counter by component
/// kind. Keys of parts a run does not use are 0, never missing; <c>vms</c> and <c>services</c> are then empty.
/// </summary>
internal static class RunSummary
{
    /// <summary>What guest and machine pages hold (the memory experiment's footprint split).</summary>
    /// <summary>What guest pages hold (the guest's kinds), then the monitor's own memory (machine side only).</summary>
    public static readonly string[] FootprintKinds = [.. Monitor.Guest.GuestKernel.FootprintKinds, "monitor"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Build(RunResult result, string model, string scenario, long seed, string configHash, TieOrder tieOrder = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var summary = new JsonObject
        {
            ["digest"] = result.DigestHex,
            ["engine"] = result.Engine,
            ["events"] = result.Events,
            ["sim_time_ps"] = result.SimTimePs,
            ["wall_s"] = Math.Round(result.WallSeconds, 6),
            ["events_per_s"] = Math.Round(result.EventsPerSecond, 1),
            ["seed"] = seed,
            ["config_hash"] = configHash,
            ["partitions"] = result.Partitions,
            ["threads"] = result.Threads,
            ["tie_order"] = tieOrder.ToString(),
            // False only under the arrival tie order: another run of the same command may give another result.
            ["reproducible"] = tieOrder.Reproducible,
            [CpuTimeBuckets.StatPrefix] = Buckets(result, CpuTimeBuckets.StatPrefix, CpuTimeBuckets.Names),
            ["instructions"] = result.Counter("instructions"),
            ["loads"] = result.Counter("loads"),
            ["stores"] = result.Counter("stores"),
            ["tlb_misses"] = result.Counter("tlb_misses"),
            ["l2tlb_hits"] = result.Counter("l2tlb_hits"),
            ["cache_misses"] = Buckets(result, "cache_misses", ["local", "remote"]),
            ["page_faults"] = result.Counter("page_faults"),
            ["migrations"] = result.Counter("migrations"),
            ["replications"] = result.Counter("replications"),
            ["numa"] = Numa(result),
            ["monitor_mode"] = MonitorMode(result),
            ["memory_pages"] = Buckets(result, "memory_pages", ["guest", "machine", "guest_peak", "machine_peak"]),
            ["disk_requests"] = Buckets(result, "disk_requests", ["issued", "shared", "private"]),
            ["disk_writes"] = Buckets(result, "disk_writes", ["issued", "private"]),
            ["vms"] = ModelSections.Vms(result),
            ["services"] = ModelSections.Services(result),
            ["footprint"] = new JsonObject
            {
                ["guest"] = Footprint(result, "footprint.guest"),
                ["machine"] = Footprint(result, "footprint.machine"),
            },
            ["model"] = model,
            ["scenario"] = scenario,
            ["stopped"] = result.Stopped,
            ["counters"] = CountersByKind(result),
        };
        return summary;
    }

    /// <summary>
    /// Page migration and replication [D Table 3]: the hot-page interrupts the monitor took, the policy's decisions,
    /// and per action its count, rate and average cost in parts (the interrupt and the policy on the interrupted
    /// processor, per interrupt; the shootdown and the copy, per migration or replication; a collapse's shootdown,
    /// which is all it costs). The remap is the page manager's pmap update, which takes no simulated time of its own:
    /// its cost shows as the pmap fills that follow. 0 where a run has none.
    /// </summary>
    private static JsonObject Numa(RunResult result)
    {
        double seconds = result.SimTimePs / 1e12;
        long interrupts = result.Counter("monitor.hot_page_interrupts");
        long migrations = result.Counter("migrations");
        long replications = result.Counter("replications");
        long collapses = result.Counter("monitor.numa.collapses");
        var decisions = new JsonObject();
        foreach (string d in Monitor.Numa.NumaActions.All)
        {
            decisions[d] = result.Counter("monitor.numa.decisions." + d);
        }

        return new JsonObject
        {
            ["interrupts"] = interrupts,
            ["interrupt_policy_ps_average"] = interrupts > 0 ? result.Counter("monitor.numa.interrupt_ps") / interrupts : 0,
            ["decisions"] = decisions,
            ["migrations"] = Action(result, migrations, seconds, "monitor.numa.migration_shootdown_ps", "monitor.numa.migration_copy_ps",
                ("unmovable", result.Counter("monitor.numa.unmovable")), ("aborted", result.Counter("monitor.numa.migrations_aborted"))),
            ["replications"] = Action(result, replications, seconds, "monitor.numa.replication_shootdown_ps", "monitor.numa.replication_copy_ps",
                ("unreplicable", result.Counter("monitor.numa.unreplicable")), ("aborted", result.Counter("monitor.numa.replications_aborted")),

                // In memory_pages.machine already; footprint.machine.replica apart from the guest's kinds.
                ("replica_pages", result.Counter("footprint.machine.replica"))),
            ["collapses"] = Action(result, collapses, seconds, "monitor.numa.collapse_ps", null, ("replicas_freed", result.Counter("monitor.numa.replicas_freed"))),
        };
    }

    /// <summary>One hot-page action: its count, rate, average shootdown (and copy) per action, then its own figures.</summary>
    private static JsonObject Action(RunResult result, long count, double seconds, string shootdownCounter, string? copyCounter, params (string Key, long Value)[] extra)
    {
        var o = new JsonObject
        {
            ["count"] = count,
            ["per_s"] = seconds > 0 ? Math.Round(count / seconds, 3) : 0,
            ["shootdown_ps_average"] = count > 0 ? result.Counter(shootdownCounter) / count : 0,
        };
        if (copyCounter is not null)
        {
            o["copy_ps_average"] = count > 0 ? result.Counter(copyCounter) / count : 0;
        }

        foreach (var (key, value) in extra)
        {
            o[key] = value;
        }

        return o;
    }

    /// <summary>
    /// The monitor's own accesses through the caches (its handlers' code and data lines, its page copies and
    /// zeroing): fetches and data accesses, L1 misses, L2 misses local and remote, in all and per processor's node
    /// (where the remote instruction misses of a monitor whose code is not replicated show). All 0 on bare runs.
    /// </summary>
    private static JsonObject MonitorMode(RunResult result)
    {
        string[] names = [.. ProcessorComponent.MonitorAccessNames, .. ProcessorComponent.MonitorL1MissNames, .. ProcessorComponent.MonitorL2MissNames];
        JsonObject Figures(Func<string, long> counter)
        {
            var o = new JsonObject();
            foreach (string name in names)
            {
                o[name.Replace('.', '_')] = counter($"{ProcessorComponent.MonitorModePrefix}.{name}");
            }

            return o;
        }

        var nodes = new JsonArray();
        foreach (var p in result.Components.Where(c => c.Kind == ProcessorComponent.KindName).OrderBy(c => c.PlacementKey))
        {
            var figures = Figures(name => p.Counters.GetValueOrDefault(name));
            figures.Insert(0, "node", p.PlacementKey);
            nodes.Add(figures);
        }

        var all = Figures(result.Counter);
        all["nodes"] = nodes;
        return all;
    }

    public static string Write(string directory, JsonObject summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "summary.json");
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, summary.ToJsonString(Indented) + "\n");
        File.Move(tmp, path, overwrite: true); // a reader never sees half a summary
        return path;
    }

    private static JsonObject Buckets(RunResult result, string prefix, IReadOnlyList<string> names)
    {
        var o = new JsonObject();
        foreach (string name in names)
        {
            o[name] = result.Counter($"{prefix}.{name}");
        }

        return o;
    }

    /// <summary>Pages holding data by kind at the end, and at the peak (the last instant at the most pages) under <c>peak</c>.</summary>
    private static JsonObject Footprint(RunResult result, string prefix)
    {
        var o = Buckets(result, prefix, FootprintKinds);
        o["peak"] = Buckets(result, prefix + ".peak", FootprintKinds);
        return o;
    }

    private static JsonObject CountersByKind(RunResult result)
    {
        var byKind = new SortedDictionary<string, SortedDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var c in result.Components)
        {
            if (!byKind.TryGetValue(c.Kind, out var counters))
            {
                counters = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["components"] = 0, ["events"] = 0 };
                byKind[c.Kind] = counters;
            }

            counters["components"]++;
            counters["events"] += c.Handled;
            foreach (var (name, value) in c.Counters)
            {
                counters[name] = counters.GetValueOrDefault(name) + value;
            }
        }

        var o = new JsonObject();
        foreach (var (kind, counters) in byKind)
        {
            var k = new JsonObject();
            foreach (var (name, value) in counters)
            {
                k[name] = value;
            }

            o[kind] = k;
        }

        return o;
    }

    public static string Format(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
