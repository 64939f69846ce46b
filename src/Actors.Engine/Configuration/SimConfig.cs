using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Configuration;

/// <summary>
/// The resolved configuration of a run: <c>--set</c> overrides, over the scenario file, over the defaults
/// (<c>config/akka.hocon</c>). Every key under <c>disco</c> that a scenario or an override names must exist in the
/// defaults; every typed read names its key (and where the value came from) when the value is impossible.
/// </summary>
public sealed partial class SimConfig
{
    public const string Root = "disco";

    // Subtrees whose contents do not change the simulated execution: excluded from the config hash, so a run
    // resumed with another layout (partitions, threads, checkpoint cadence) is still recognised as the same run.
    private static readonly string[] LayoutSubtrees = ["disco.engine", "disco.output", "disco.checkpoint", "disco.cluster"];

    // The one engine key that changes what a run computes; canonical (the default) leaves the hash as it was.
    private const string TieOrderKey = "disco.engine.tie-order";

    private readonly Akka.Configuration.Config _scenario;
    private readonly Dictionary<string, string> _setSources;
    private readonly string _scenarioName;
    private readonly string _defaultsName;

    private SimConfig(Akka.Configuration.Config merged, Akka.Configuration.Config scenario, Dictionary<string, string> setSources, string scenarioName, string defaultsName, string scenarioText)
    {
        Merged = merged;
        _scenario = scenario;
        _setSources = setSources;
        _scenarioName = scenarioName;
        _defaultsName = defaultsName;
        ScenarioText = scenarioText;
    }

    /// <summary>Everything, <c>akka</c> and <c>disco</c> sections, resolved.</summary>
    public Akka.Configuration.Config Merged { get; }

    public string ScenarioText { get; }

    public string ScenarioName => _scenarioName;

    /// <summary>
    /// Loads a run's configuration. Override keys are relative to <c>disco</c> (<c>machine.nodes</c>); each
    /// carries the option that gave it, which error messages name.
    /// </summary>
    public static SimConfig Load(string defaultsText, string defaultsName, string? scenarioText, string? scenarioName, IEnumerable<ConfigOverride> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var defaults = Parse(defaultsText, defaultsName);
        var scenario = scenarioText is null ? Akka.Configuration.Config.Empty : Parse(scenarioText, scenarioName ?? "scenario");
        RejectUnknownKeys(scenario, defaults, scenarioName ?? "scenario");

        var merged = scenario.WithFallback(defaults);
        var setSources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value, source) in overrides)
        {
            string path = key.StartsWith(Root + ".", StringComparison.Ordinal) ? key : $"{Root}.{key}";
            if (!defaults.HasPath(path) || IsObject(defaults, path))
            {
                throw new BadInputException(source, $"unknown key {path} (see config/akka.hocon for every key)");
            }

            var single = ParseSet(path, value, source);
            merged = single.WithFallback(merged);
            setSources[path] = source;
        }

        return new SimConfig(merged, scenario, setSources, scenarioName ?? "(no scenario)", defaultsName, scenarioText ?? "");
    }

    /// <summary>Where the value of <paramref name="path"/> came from, for error messages.</summary>
    public string SourceOf(string path)
    {
        foreach (var (setPath, source) in _setSources)
        {
            if (path == setPath || path.StartsWith(setPath + ".", StringComparison.Ordinal))
            {
                return source;
            }
        }

        return _scenario.HasPath(path) ? $"{_scenarioName}: {path}" : $"{_defaultsName}: {path}";
    }

    public bool HasPath(string path) => Merged.HasPath(path);

    public BadInputException Error(string path, string problem) => new(SourceOf(path), problem);

    public string GetString(string path)
    {
        Require(path);
        return Merged.GetString(path) ?? "";
    }

    public string GetOneOf(string path, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        string value = GetString(path);
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw Error(path, $"'{value}' is not one of {string.Join(", ", allowed)}");
    }

    public bool GetBool(string path)
    {
        string value = GetString(path).ToLowerInvariant();
        return value switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw Error(path, $"'{value}' is not a boolean (true or false)"),
        };
    }

    public long GetLong(string path, long min = long.MinValue, long max = long.MaxValue)
    {
        string text = GetString(path);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Error(path, $"'{text}' is not a whole number");
        }

        return value < min || value > max ? throw Error(path, $"{value} is out of range [{min}, {max}]") : value;
    }

    public int GetInt(string path, int min = int.MinValue, int max = int.MaxValue) => (int)GetLong(path, min, max);

    public double GetDouble(string path)
    {
        string text = GetString(path);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            ? value
            : throw Error(path, $"'{text}' is not a number");
    }

    /// <summary>A simulated time written with its unit (<c>300ns</c>, <c>5ms</c>).</summary>
    public SimTime GetSimTime(string path)
    {
        string text = GetString(path);
        return SimTime.TryParse(text, out var t) ? t : throw Error(path, $"'{text}' is not a simulated time (write it with a unit: ps, ns, us, ms, s)");
    }

    /// <summary>A wall-clock duration (<c>500ms</c>, <c>30s</c>, or <c>off</c> for none).</summary>
    public TimeSpan? GetWallDuration(string path)
    {
        string text = GetString(path);
        if (text is "off" or "none" or "0")
        {
            return null;
        }

        return SimTime.TryParse(text, out var t) && t.Ps > 0
            ? TimeSpan.FromTicks(t.Ps / (SimTime.PsPerUs / 10))
            : throw Error(path, $"'{text}' is not a duration (e.g. 500ms, 30s, or off)");
    }

    /// <summary>
    /// A stable hash of every setting that shapes the simulated execution (layout subtrees excluded), over the
    /// sorted leaves so that the order in which files and overrides gave them does not matter.
    /// </summary>
    public string ConfigHash()
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(Merged.Root.GetObject().GetKey(Root), Root, leaves);
        var text = new StringBuilder();
        foreach (var (path, value) in leaves)
        {
            bool identity = path == TieOrderKey && value != "canonical";
            if (identity || !LayoutSubtrees.Any(s => path == s || path.StartsWith(s + ".", StringComparison.Ordinal)))
            {
                text.Append(path).Append('=').Append(value).Append('\n');
            }
        }

        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    /// <summary>The resolved <c>disco</c> section as HOCON text (written into every run's manifest).</summary>
    public string ResolvedDiscoText()
    {
        var leaves = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(Merged.Root.GetObject().GetKey(Root), Root, leaves);
        return string.Join('\n', leaves.Select(kv => $"{kv.Key} = {Quote(kv.Value)}")) + "\n";
    }

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_') ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void Flatten(HoconValue? value, string path, SortedDictionary<string, string> leaves)
    {
        if (value is null)
        {
            return;
        }

        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
            {
                Flatten(child, $"{path}.{key}", leaves);
            }

            return;
        }

        leaves[path] = value.IsArray() ? "[" + string.Join(",", value.GetArray().Select(v => v.ToString())) + "]" : value.GetString() ?? "";
    }

    private void Require(string path)
    {
        if (!Merged.HasPath(path))
        {
            throw new BadInputException(_defaultsName, $"missing key {path}");
        }
    }

    private static bool IsObject(Akka.Configuration.Config config, string path)
    {
        var v = config.GetValue(path);
        return v is not null && v.IsObject();
    }

    private static Akka.Configuration.Config Parse(string text, string name)
    {
        HoconSyntax.Check(text, name);
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex) when (ex is FormatException or ConfigurationException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            throw new BadInputException(name + LineOf(ex.Message, text), "malformed HOCON: " + FirstLine(ex.Message));
        }
    }

    private static Akka.Configuration.Config ParseSet(string path, string value, string source)
    {
        try
        {
            // Unquoted, '#' and '//' would start a HOCON comment and silently cut the value (hw.directory#3).
            bool comment = !value.StartsWith('"') && (value.Contains('#', StringComparison.Ordinal) || value.Contains("//", StringComparison.Ordinal));
            return ConfigurationFactory.ParseString(comment ? $"{path} = {Quote(value)}" : $"{path} = {value}");
        }
        catch (Exception ex) when (ex is FormatException or ConfigurationException or InvalidOperationException or ArgumentException)
        {
            // Not a HOCON value as written (a path, a connection string): take it as a quoted string.
            try
            {
                return ConfigurationFactory.ParseString($"{path} = {Quote(value)}");
            }
            catch (Exception inner) when (inner is FormatException or ConfigurationException)
            {
                throw new BadInputException(source, "malformed value: " + FirstLine(inner.Message));
            }
        }
    }

    private static void RejectUnknownKeys(Akka.Configuration.Config scenario, Akka.Configuration.Config defaults, string name)
    {
        var root = scenario.Root;
        if (root is null || !root.IsObject())
        {
            return;
        }

        foreach (var (key, value) in root.GetObject().Items)
        {
            if (key == Root)
            {
                Check(value, Root);
            }
            else if (key != "akka")
            {
                throw new BadInputException($"{name}: {key}", "unknown top-level section (only 'disco' and 'akka' are read)");
            }
        }

        void Check(HoconValue value, string path)
        {
            if (!defaults.HasPath(path))
            {
                throw new BadInputException($"{name}: {path}", "unknown key (see config/akka.hocon for every key)");
            }

            if (value.IsObject())
            {
                if (!IsObject(defaults, path))
                {
                    throw new BadInputException($"{name}: {path}", "is a value in config/akka.hocon, not a section");
                }

                foreach (var (key, child) in value.GetObject().Items)
                {
                    Check(child, $"{path}.{key}");
                }
            }
            else if (IsObject(defaults, path))
            {
                throw new BadInputException($"{name}: {path}", "is a section in config/akka.hocon, not a value");
            }
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static string LineOf(string message, string text)
    {
        var m = PositionPattern().Match(message);
        if (!m.Success || !int.TryParse(m.Groups[1].Value, CultureInfo.InvariantCulture, out int pos))
        {
            return "";
        }

        pos = Math.Clamp(pos, 0, text.Length);
        int line = 1 + text.AsSpan(0, pos).Count('\n');
        return $":{line}";
    }

    [GeneratedRegex(@"position (\d+)")]
    private static partial Regex PositionPattern();
}
