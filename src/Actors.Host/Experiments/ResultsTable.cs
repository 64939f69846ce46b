using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// <c>results.csv</c>: one row per run, the run's place in the study first (study, run, configuration, group, label,
/// repetition, seed), then every scalar of its summary.json flattened by path (<c>cpu_time_ps.user</c>,
/// <c>vms.vm0.memory_pages.machine</c>, <c>counters.hw.disk.hw.disk.requests</c>), then the digest, then the
/// wall-clock columns, which alone differ between an interrupted and an uninterrupted study.
/// </summary>
internal sealed class ResultsTable
{
    public const string FileName = "results.csv";

    /// <summary>Columns measured on the wall clock: the last ones, and the only ones a rerun may change.</summary>
    public static readonly string[] WallColumns = ["wall_s", "events_per_s"];

    public static readonly string[] PlaceColumns = ["study", "run", "config", "group", "label", "repetition", "seed"];

    private ResultsTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyDictionary<string, string>> rows)
    {
        Columns = columns;
        Rows = rows;
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    /// <summary>The rows of finished runs, in the plan's order (configurations as the file lists them, then repetitions).</summary>
    public static ResultsTable Collect(IEnumerable<PlannedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var rows = new List<IReadOnlyDictionary<string, string>>();
        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            string path = Path.Combine(run.Folder, "summary.json");
            JsonObject summary;
            try
            {
                summary = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new BadInputException(path, "not a JSON object");
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new BadInputException(path, "malformed JSON: " + ex.Message.Split('\n')[0]);
            }

            var row = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["study"] = run.Study.Name,
                ["run"] = run.Id,
                ["config"] = run.Spec.Id,
                ["group"] = run.Spec.Group,
                ["label"] = run.Spec.Label,
                ["repetition"] = run.Repetition.ToString(CultureInfo.InvariantCulture),
                ["seed"] = run.Seed.ToString(CultureInfo.InvariantCulture),
            };
            var flat = new List<(string Key, string Value)>();
            Flatten(summary, "", flat);
            foreach (var (key, value) in flat)
            {
                row[key] = value;
                if (seen.Add(key))
                {
                    order.Add(key);
                }
            }

            rows.Add(row);
        }

        string[] tail = ["digest", .. WallColumns];
        var columns = PlaceColumns.Concat(order.Where(c => !tail.Contains(c, StringComparer.Ordinal) && !PlaceColumns.Contains(c, StringComparer.Ordinal))).Concat(tail).ToList();
        return new ResultsTable(columns, rows);
    }

    public string Write(string folder)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Columns.Select(Escape)).Append('\n');
        foreach (var row in Rows)
        {
            text.AppendJoin(',', Columns.Select(c => Escape(row.GetValueOrDefault(c, "")))).Append('\n');
        }

        string path = Path.Combine(folder, FileName);
        File.WriteAllText(path + ".tmp", text.ToString());
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    /// <summary>Reads a results.csv back (the figures' tests compare against it).</summary>
    public static ResultsTable Read(string path)
    {
        var lines = File.ReadAllLines(path);
        var columns = Split(lines[0]);
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var cells = Split(l);
            return (IReadOnlyDictionary<string, string>)columns.Select((c, i) => (c, cells[i])).ToDictionary(x => x.c, x => x.Item2, StringComparer.Ordinal);
        }).ToList();
        return new ResultsTable(columns, rows);
    }

    /// <summary>A numeric cell; 0 when the run has no such column (a bare run has no vms.*).</summary>
    public static double Number(IReadOnlyDictionary<string, string> row, string column)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.TryGetValue(column, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0;
    }

    private static void Flatten(JsonNode? node, string path, List<(string Key, string Value)> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    Flatten(child, path.Length == 0 ? key : $"{path}.{key}", into);
                }

                break;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                {
                    // A VM by its name (vms.vm0.*), so columns line up across runs with different VM counts.
                    string item = a[i] is JsonObject e && e["name"] is JsonValue n && n.TryGetValue(out string? name) ? name : i.ToString(CultureInfo.InvariantCulture);
                    Flatten(a[i], $"{path}.{item}", into);
                }

                break;
            case JsonValue v:
                into.Add((path, v.TryGetValue(out string? s) ? s
                    : v.TryGetValue(out long l) ? l.ToString(CultureInfo.InvariantCulture)
                    : v.TryGetValue(out double d) ? d.ToString("R", CultureInfo.InvariantCulture)
                    : v.ToJsonString()));
                break;
            default:
                break;
        }
    }

    private static string Escape(string value) =>
        value.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static List<string> Split(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
