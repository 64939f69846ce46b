using System.Text.Json.Nodes;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Output;

namespace Disco.Actors.Host.Probe;

/// <summary>Reads one probe run back from its folder: summary.json's figures and state-hashes.csv.</summary>
internal static class OrderRunFolder
{
    // Settings and wall-clock figures: they say how the run was made, not what it computed.
    private static readonly HashSet<string> NotResults = ["wall_s", "events_per_s", "partitions", "threads", "seed"];

    public static OrderRun Load(string order, string dir)
    {
        string summaryPath = Path.Combine(dir, "summary.json");
        string hashesPath = Path.Combine(dir, StateHashWriter.FileName);
        if (!File.Exists(summaryPath) || !File.Exists(hashesPath))
        {
            throw new BadInputException(dir, $"the run under {order} left no summary.json or {StateHashWriter.FileName} (see its disco-error.log)");
        }

        var summary = JsonNode.Parse(File.ReadAllText(summaryPath))!.AsObject();
        var figures = new SortedDictionary<string, double>(StringComparer.Ordinal);
        Flatten(summary, "", figures);
        var hashes = new Dictionary<(long, int), ulong>();
        var names = new Dictionary<int, string>();
        foreach (var (t, id, kind, hash) in StateHashWriter.Read(hashesPath))
        {
            hashes[(t, id)] = hash;
            names[id] = $"{kind}#{id}";
        }

        return new OrderRun(order, summary["digest"]?.GetValue<string>() ?? "", figures, hashes, names);
    }

    private static void Flatten(JsonNode? node, string path, SortedDictionary<string, double> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (path.Length > 0 || !NotResults.Contains(key))
                    {
                        Flatten(value, path.Length == 0 ? key : $"{path}.{key}", into);
                    }
                }

                break;
            case JsonValue v when v.TryGetValue(out double d):
                into[path] = d;
                break;
        }
    }
}
