using System.Globalization;
using System.Text.Json.Nodes;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Host.Output;

/// <summary>
/// The <c>services</c> and <c>vms</c> sections of <c>summary.json</c>, built from counters the model names
/// <c>service.&lt;name&gt;.&lt;field&gt;</c> and <c>vm.&lt;id&gt;.&lt;key&gt;</c>. The names are discovered, not listed here,
/// so a new guest service or VM statistic reaches the summary without touching this file.
/// </summary>
internal static class ModelSections
{
    private const string ServicePrefix = "service.";
    private const string VmPrefix = "vm.";
    private const string SplitSuffix = ".split";

    /// <summary>Every guest kernel service with its count and time, the costliest first (then by name).</summary>
    public static JsonObject Services(RunResult result)
    {
        var services = new Dictionary<string, SortedDictionary<string, long>>(StringComparer.Ordinal);
        foreach (string counter in CounterNames(result, ServicePrefix))
        {
            // service.<name>.<field>: the field is after the last dot, so a name may itself hold dots.
            string rest = counter[ServicePrefix.Length..];
            int dot = rest.LastIndexOf('.');
            if (dot <= 0)
            {
                continue;
            }

            string name = rest[..dot];
            string field = rest[(dot + 1)..];
            if (name.EndsWith(SplitSuffix, StringComparison.Ordinal))
            {
                // service.<name>.split.<work>: under the monitor, what the service's time went to [D Table 2].
                name = name[..^SplitSuffix.Length];
                field = SplitSuffix[1..] + "." + field;
            }

            if (!services.TryGetValue(name, out var fields))
            {
                fields = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["count"] = 0, ["time_ps"] = 0 };
                services[name] = fields;
            }

            fields[field] = result.Counter(counter);
        }

        var o = new JsonObject();
        foreach (var (name, fields) in services.OrderByDescending(s => s.Value["time_ps"]).ThenBy(s => s.Key, StringComparer.Ordinal))
        {
            var service = new JsonObject { ["count"] = fields["count"], ["time_ps"] = fields["time_ps"] };
            var split = new JsonObject();
            foreach (var (field, value) in fields.Where(f => f.Key is not ("count" or "time_ps")).OrderBy(f => WorkOrder(f.Key)))
            {
                if (field.StartsWith(SplitSuffix[1..] + ".", StringComparison.Ordinal))
                {
                    split[field[SplitSuffix.Length..]] = value;
                }
                else
                {
                    service[field] = value;
                }
            }

            if (split.Count > 0)
            {
                service["split"] = split;
            }

            o[name] = service;
        }

        return o;
    }

    /// <summary>A split's parts in the paper's order [D Table 2] (<see cref="Monitor.Vcpus.MonitorWork"/>), other fields first.</summary>
    private static int WorkOrder(string field)
    {
        int dot = field.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? -1 : Monitor.Vcpus.MonitorWorks.All.ToList().IndexOf(field[(dot + 1)..]);
    }

    /// <summary>One object per virtual machine, by id; dotted keys become nested objects (memory_pages.guest).</summary>
    public static JsonArray Vms(RunResult result)
    {
        var vms = new SortedDictionary<int, SortedDictionary<string, long>>();
        foreach (string counter in CounterNames(result, VmPrefix))
        {
            string rest = counter[VmPrefix.Length..];
            int dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int id))
            {
                continue; // not vm.<integer id>.<key>: some other counter that happens to start with "vm."
            }

            if (!vms.TryGetValue(id, out var keys))
            {
                keys = new SortedDictionary<string, long>(StringComparer.Ordinal);
                vms[id] = keys;
            }

            keys[rest[(dot + 1)..]] = result.Counter(counter);
        }

        var array = new JsonArray();
        foreach (var (id, keys) in vms)
        {
            var vm = new JsonObject { ["id"] = id, ["name"] = $"vm{id}" };
            foreach (var (key, value) in keys)
            {
                Nest(vm, key, value);
            }

            array.Add(vm);
        }

        return array;
    }

    /// <summary>Distinct counter names of every component that start with <paramref name="prefix"/>, sorted.</summary>
    private static SortedSet<string> CounterNames(RunResult result, string prefix)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var component in result.Components)
        {
            names.UnionWith(component.Counters.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)));
        }

        return names;
    }

    /// <summary>
    /// Sets <c>a.b.c</c> as <c>{"a":{"b":{"c":value}}}</c>. Should a key also be a plain number (<c>a</c> and
    /// <c>a.b</c> both counted), the dotted one stays flat under its full name rather than losing either value.
    /// </summary>
    private static void Nest(JsonObject root, string dottedKey, long value)
    {
        string[] parts = dottedKey.Split('.');
        var node = root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            switch (node[parts[i]])
            {
                case null:
                    var child = new JsonObject();
                    node[parts[i]] = child;
                    node = child;
                    break;
                case JsonObject existing:
                    node = existing;
                    break;
                default:
                    root[dottedKey] = value;
                    return;
            }
        }

        node[parts[^1]] = value;
    }
}
