using System.Security.Cryptography;
using System.Text;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// A study as a HOCON file (<c>experiments/&lt;name&gt;.hocon</c>): its runs (scenario + overrides, per scale), its
/// figures and tables. A file with <c>include = [a, b]</c> instead of runs bundles other studies (<c>all</c>). Every
/// problem is bad input naming the file and the key; scenario paths are relative to the file's folder.
/// </summary>
internal sealed record ExperimentFile(
    string Name,
    string Path,
    string TextHash,
    string Title,
    IReadOnlyList<ExperimentRunSpec> Runs,
    IReadOnlyList<string> Figures,
    IReadOnlyList<string> Tables,
    IReadOnlyDictionary<string, ScaleSettings> Scales,
    IReadOnlyList<string> Include,
    IReadOnlyList<ServiceTarget> Targets)
{
    public static readonly string[] FigureKinds = ["figure5", "figure6", "figure7", "figure8"];
    public static readonly string[] TableKinds = ["table2", "table3", "calibration"];
    public static readonly string[] ScaleNames = ["full", "small"];

    private static readonly string[] TopKeys = ["title", "include", "runs", "figures", "tables", "targets", .. ScaleNames];
    private static readonly string[] TargetKeys = ["group", "service", "share", "average-us", "source"];
    private static readonly string[] RunKeys = ["id", "scenario", "group", "label", "set", .. ScaleNames];
    private static readonly string[] ScaleKeys = ["set", "repeat", "checkpoint-every", "checkpoint-wall-every", "progress-every"];

    /// <summary>Finds <c>&lt;name&gt;</c>: a path to a .hocon file, or a name in <paramref name="folder"/>.</summary>
    public static string Locate(string nameOrPath, string folder)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (nameOrPath.EndsWith(".hocon", StringComparison.Ordinal))
        {
            return File.Exists(nameOrPath) ? nameOrPath : throw new BadInputException(nameOrPath, "experiment file not found");
        }

        string path = System.IO.Path.Combine(folder, nameOrPath + ".hocon");
        if (File.Exists(path))
        {
            return path;
        }

        string known = Directory.Exists(folder)
            ? string.Join(", ", Directory.GetFiles(folder, "*.hocon").Select(f => System.IO.Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal))
            : "";
        throw new BadInputException(nameOrPath, $"unknown experiment (no {path}; known: {(known.Length > 0 ? known : "none")})");
    }

    public static ExperimentFile Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException(path, "cannot read the experiment file: " + ex.Message);
        }

        HoconSyntax.Check(text, path);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex) when (ex is FormatException or ConfigurationException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            throw new BadInputException(path, "malformed HOCON: " + ex.Message.Split('\n')[0]);
        }

        var root = config.Root is { } r && r.IsObject() ? r.GetObject() : null;
        if (root is null || !root.Items.TryGetValue("experiment", out var exp) || !exp.IsObject())
        {
            throw new BadInputException(path, "expected one section 'experiment { ... }'");
        }

        foreach (var key in root.Items.Keys.Where(k => k != "experiment"))
        {
            throw new BadInputException($"{path}: {key}", "unknown top-level section (only 'experiment' is read)");
        }

        var reader = new Reader(path);
        var top = exp.GetObject();
        reader.OnlyKeys(top, "experiment", TopKeys);
        string name = System.IO.Path.GetFileNameWithoutExtension(path);
        var include = reader.Strings(top, "experiment.include");
        var runs = new List<ExperimentRunSpec>();
        if (top.Items.TryGetValue("runs", out var runList))
        {
            if (!runList.IsArray())
            {
                throw new BadInputException($"{path}: experiment.runs", "expected a list of run objects");
            }

            var items = runList.GetArray();
            for (int i = 0; i < items.Count; i++)
            {
                runs.Add(ReadRun(reader, items[i], $"experiment.runs[{i}]", System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!));
            }
        }

        if (runs.Count == 0 && include.Count == 0)
        {
            throw new BadInputException($"{path}: experiment.runs", "an experiment lists at least one run (or includes other experiments)");
        }

        if (runs.Count > 0 && include.Count > 0)
        {
            throw new BadInputException($"{path}: experiment.include", "an experiment either lists runs or includes other experiments, not both");
        }

        foreach (var dup in runs.GroupBy(x => x.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            throw new BadInputException($"{path}: experiment.runs", $"run id {dup.Key} appears {dup.Count()} times");
        }

        var scales = ScaleNames.ToDictionary(s => s, s => ReadScale(reader, top, s), StringComparer.Ordinal);
        var tables = reader.OneOf(top, "experiment.tables", TableKinds);
        var targets = ReadTargets(reader, top);
        if (tables.Contains("calibration") && targets.Count == 0)
        {
            throw new BadInputException($"{path}: experiment.targets", "the calibration table needs targets (a list of { group, service, share, average-us, source })");
        }

        return new ExperimentFile(
            name,
            path,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16],
            reader.String(top, "experiment.title") ?? name,
            runs,
            reader.OneOf(top, "experiment.figures", FigureKinds),
            tables,
            scales,
            include,
            targets);
    }

    private static List<ServiceTarget> ReadTargets(Reader reader, HoconObject top)
    {
        var targets = new List<ServiceTarget>();
        if (!top.Items.TryGetValue("targets", out var list))
        {
            return targets;
        }

        if (!list.IsArray())
        {
            throw new BadInputException($"{reader.File}: experiment.targets", "expected a list of { group, service, share, average-us, source }");
        }

        var items = list.GetArray();
        for (int i = 0; i < items.Count; i++)
        {
            string key = $"experiment.targets[{i}]";
            if (!items[i].IsObject())
            {
                throw new BadInputException($"{reader.File}: {key}", "expected { group, service, share, average-us, source }");
            }

            var o = items[i].GetObject();
            reader.OnlyKeys(o, key, TargetKeys);
            targets.Add(new ServiceTarget(
                reader.String(o, $"{key}.group") ?? throw new BadInputException($"{reader.File}: {key}.group", "missing"),
                reader.String(o, $"{key}.service") ?? throw new BadInputException($"{reader.File}: {key}.service", "missing"),
                reader.Double(o, $"{key}.share", 0, 100),
                reader.Double(o, $"{key}.average-us", 0, 1e9),
                reader.String(o, $"{key}.source") ?? throw new BadInputException($"{reader.File}: {key}.source", "missing (say where the figure comes from)")));
        }

        return targets;
    }

    private static ExperimentRunSpec ReadRun(Reader reader, HoconValue value, string key, string folder)
    {
        if (!value.IsObject())
        {
            throw new BadInputException($"{reader.File}: {key}", "expected a run object { id = ..., scenario = ... }");
        }

        var run = value.GetObject();
        reader.OnlyKeys(run, key, RunKeys);
        string id = reader.String(run, $"{key}.id") ?? throw new BadInputException($"{reader.File}: {key}.id", "missing (every run has an id)");
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || id.StartsWith('.'))
        {
            throw new BadInputException($"{reader.File}: {key}.id", $"'{id}' is not a folder name (letters, digits, - _ .)");
        }

        string scenario = reader.String(run, $"{key}.scenario") ?? throw new BadInputException($"{reader.File}: {key}.scenario", "missing");
        string scenarioPath = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, scenario));
        if (!File.Exists(scenarioPath))
        {
            throw new BadInputException($"{reader.File}: {key}.scenario", $"unknown scenario {scenario} (no file {scenarioPath})");
        }

        var perScale = ScaleNames.ToDictionary(s => s, s => (IReadOnlyList<ConfigOverride>)reader.Sets(run, $"{key}.{s}"), StringComparer.Ordinal);
        return new ExperimentRunSpec(
            id,
            scenarioPath,
            reader.String(run, $"{key}.group") ?? id,
            reader.String(run, $"{key}.label") ?? id,
            reader.Sets(run, $"{key}.set"),
            perScale);
    }

    private static ScaleSettings ReadScale(Reader reader, HoconObject top, string scale)
    {
        if (!top.Items.TryGetValue(scale, out var value))
        {
            return ScaleSettings.Default(scale);
        }

        string key = $"experiment.{scale}";
        if (!value.IsObject())
        {
            throw new BadInputException($"{reader.File}: {key}", "expected a section { set = [...], repeat = N, ... }");
        }

        var o = value.GetObject();
        reader.OnlyKeys(o, key, ScaleKeys);
        var d = ScaleSettings.Default(scale);
        return new ScaleSettings(
            reader.Sets(o, $"{key}.set"),
            reader.Int(o, $"{key}.repeat", 1, 100) ?? d.Repeat,
            reader.String(o, $"{key}.checkpoint-every") ?? d.CheckpointEvery,
            reader.String(o, $"{key}.checkpoint-wall-every") ?? d.CheckpointWallEvery,
            reader.String(o, $"{key}.progress-every") ?? d.ProgressEvery);
    }

    /// <summary>Reads typed values of one file, each failure naming the file and the key.</summary>
    private sealed class Reader(string file)
    {
        public string File { get; } = file;

        public void OnlyKeys(HoconObject o, string path, string[] allowed)
        {
            foreach (string key in o.Items.Keys)
            {
                if (!allowed.Contains(key, StringComparer.Ordinal))
                {
                    throw new BadInputException($"{File}: {path}.{key}", $"unknown key (known: {string.Join(", ", allowed)})");
                }
            }
        }

        public string? String(HoconObject o, string path)
        {
            string key = path[(path.LastIndexOf('.') + 1)..];
            if (!o.Items.TryGetValue(key, out var v))
            {
                return null;
            }

            if (!v.IsString())
            {
                throw new BadInputException($"{File}: {path}", "expected a single value");
            }

            return v.GetString();
        }

        public int? Int(HoconObject o, string path, int min, int max)
        {
            string? s = String(o, path);
            if (s is null)
            {
                return null;
            }

            return int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
                ? n
                : throw new BadInputException($"{File}: {path}", $"expected an integer from {min} to {max}, got '{s}'");
        }

        public double Double(HoconObject o, string path, double min, double max)
        {
            string s = String(o, path) ?? throw new BadInputException($"{File}: {path}", "missing");
            return double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && d >= min && d <= max
                ? d
                : throw new BadInputException($"{File}: {path}", $"expected a number from {min} to {max}, got '{s}'");
        }

        public IReadOnlyList<string> Strings(HoconObject o, string path)
        {
            string key = path[(path.LastIndexOf('.') + 1)..];
            if (!o.Items.TryGetValue(key, out var v))
            {
                return [];
            }

            if (!v.IsArray() || v.GetArray().Any(x => !x.IsString()))
            {
                throw new BadInputException($"{File}: {path}", "expected a list of strings, e.g. [\"a\", \"b\"]");
            }

            return [.. v.GetArray().Select(x => x.GetString())];
        }

        public IReadOnlyList<string> OneOf(HoconObject o, string path, string[] allowed)
        {
            var values = Strings(o, path);
            foreach (string v in values)
            {
                if (!allowed.Contains(v, StringComparer.Ordinal))
                {
                    throw new BadInputException($"{File}: {path}", $"unknown '{v}' (known: {string.Join(", ", allowed)})");
                }
            }

            return values;
        }

        /// <summary><c>["key=value", ...]</c> as <c>--set</c> takes them; each names this file and key as its source.</summary>
        public IReadOnlyList<ConfigOverride> Sets(HoconObject o, string path) =>
            [.. Strings(o, path).Select(s =>
            {
                int eq = s.IndexOf('=', StringComparison.Ordinal);
                return eq > 0
                    ? new ConfigOverride(s[..eq].Trim(), s[(eq + 1)..].Trim(), $"{File}: {path} ({s[..eq].Trim()})")
                    : throw new BadInputException($"{File}: {path}", $"'{s}' is not key=value");
            })];
    }
}
