using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Tracing;

namespace Disco.Actors.Host.Runs;

/// <summary>The message trace a run writes (<c>disco.output.trace</c>), its filter checked against the model.</summary>
internal sealed record TraceSettings(string Path, MessageTraceFilter Filter)
{
    private const string At = "disco.output.trace.";

    /// <summary>Null when no trace is asked for.</summary>
    public static TraceSettings? From(SimConfig config, SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(model);
        string path = config.GetString(At + "messages");
        if (path.Length == 0)
        {
            return null;
        }

        long from = config.GetSimTime(At + "from").Ps;
        long to = config.GetString(At + "to") is "off" or "" ? long.MaxValue : config.GetSimTime(At + "to").Ps;
        if (to <= from)
        {
            throw config.Error(At + "to", "must be after trace.from");
        }

        return new TraceSettings(path, new MessageTraceFilter(Components(config, model), from, to));
    }

    /// <summary>Opens the trace file (its folder must exist).</summary>
    public MessageTrace Open(SimConfig config, SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(config);
        try
        {
            return MessageTrace.Create(Path, model, Filter);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw config.Error(At + "messages", $"cannot write the trace file {Path}: {ex.Message}");
        }
    }

    private static bool[]? Components(SimConfig config, SimulationModel model)
    {
        string text = config.GetString(At + "components");
        if (text.Length == 0)
        {
            return null;
        }

        var keep = new bool[model.Components.Count];
        var kinds = model.Components.Select(c => c.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int hash = item.IndexOf('#', StringComparison.Ordinal);
            string kind = hash < 0 ? item : item[..hash];
            if (!kinds.Contains(kind))
            {
                throw config.Error(At + "components", $"'{item}': this model has no component kind '{kind}' (it has {string.Join(", ", kinds)})");
            }

            if (hash < 0)
            {
                foreach (var c in model.Components.Where(c => c.Kind == kind))
                {
                    keep[c.Id.Value] = true;
                }

                continue;
            }

            var ids = model.Components.Where(c => c.Kind == kind).Select(c => c.Id.Value).ToList();
            if (!int.TryParse(item.AsSpan(hash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id) || !ids.Contains(id))
            {
                throw config.Error(At + "components", $"'{item}': the {kind} components are #{ids.Min()} to #{ids.Max()}");
            }

            keep[id] = true;
        }

        return keep;
    }
}
