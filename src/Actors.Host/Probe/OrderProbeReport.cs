using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Disco.Actors.Engine.Time;
using Disco.Actors.Host.Output;

namespace Disco.Actors.Host.Probe;

/// <summary><c>order-report.md</c> and <c>order-report.json</c>: the probe's findings, for people and for scripts.</summary>
internal static class OrderProbeReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string dir, string scenario, string command, OrderProbeAnalysis a, IReadOnlyList<Divergence> refinements)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(refinements);
        File.WriteAllText(Path.Combine(dir, "order-report.md"), Markdown(scenario, command, a, refinements));
        File.WriteAllText(Path.Combine(dir, "order-report.json"), Json(scenario, command, a, refinements).ToJsonString(Indented));
    }

    public static string Markdown(string scenario, string command, OrderProbeAnalysis a, IReadOnlyList<Divergence> refinements)
    {
        ArgumentNullException.ThrowIfNull(a);
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.Append(inv, $"# Tie-order probe: {scenario}\n\n`{command}`\n\n");
        md.Append(inv, $"{a.Runs.Count} runs: {string.Join(", ", a.Runs.Select(r => $"{r.Order} (digest {r.Digest})"))}; {a.DistinctDigests} distinct digests ");
        md.Append("(a digest folds the handling order, so it differs whenever ties were reordered; results are judged by state hashes and figures).\n\n## Verdict\n\n");
        var varying = a.Figures.Where(f => f.Varies).ToList();
        md.Append(a.OrderDependent
            ? string.Create(inv, $"**The result depends on the tie order.** {a.FinalStatesDiffering} of {a.ComponentsCompared} components end in a different state under some order; {varying.Count} of {a.Figures.Count} summary figures vary.\n\n")
            : string.Create(inv, $"**The result does not depend on the tie order**: every component's state, at every sample and at the end, and all {a.Figures.Count} summary figures are equal under the {a.Runs.Count} orders.\n\n"));
        if (varying.Count > 0)
        {
            md.Append("## Figures that vary\n\n| figure | ").Append(string.Join(" | ", a.Runs.Select(r => r.Order))).Append(" | mean | min | max | spread |\n");
            md.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", a.Runs.Count + 4))).Append('\n');
            foreach (var f in varying.OrderByDescending(f => f.SpreadPercent).ThenBy(f => f.Name, StringComparer.Ordinal))
            {
                md.Append(inv, $"| {f.Name} | {string.Join(" | ", f.Values.Select(Number))} | {Number(f.Mean)} | {Number(f.Min)} | {Number(f.Max)} | {f.SpreadPercent:F3} % |\n");
            }

            md.Append('\n');
        }

        md.Append("## First divergence\n\n");
        if (a.FirstDivergence is not { } d)
        {
            md.Append("None: every sampled state is equal under every order.\n");
            return md.ToString();
        }

        var finest = refinements.Count > 0 ? refinements[^1] : d;
        md.Append(inv, $"Under {finest.Order}: equal to the canonical run at {Time(finest.AfterPs)}, different by {Time(finest.ByPs)}, first in ");
        md.Append(string.Join(", ", finest.Components.Take(12))).Append(finest.Components.Count > 12 ? string.Create(inv, $" and {finest.Components.Count - 12} more") : "").Append(".\n\n");
        md.Append(inv, $"Coarse samples: between {Time(d.AfterPs)} and {Time(d.ByPs)} ({d.Components.Count} components differ at {Time(d.ByPs)}).");
        foreach (var r in refinements)
        {
            md.Append(inv, $" Refined: between {Time(r.AfterPs)} and {Time(r.ByPs)} ({r.Components.Count} components).");
        }

        md.Append('\n');
        return md.ToString();
    }

    private static JsonObject Json(string scenario, string command, OrderProbeAnalysis a, IReadOnlyList<Divergence> refinements)
    {
        static JsonObject Div(Divergence d) => new()
        {
            ["order"] = d.Order,
            ["equal_at_ps"] = d.AfterPs,
            ["different_at_ps"] = d.ByPs == StateHashWriter.FinalPs ? null : d.ByPs,
            ["components"] = new JsonArray([.. d.Components.Select(c => (JsonNode)c)]),
        };

        return new JsonObject
        {
            ["scenario"] = scenario,
            ["command"] = command,
            ["order_dependent"] = a.OrderDependent,
            ["runs"] = new JsonArray([.. a.Runs.Select(r => (JsonNode)new JsonObject { ["order"] = r.Order, ["digest"] = r.Digest })]),
            ["components_compared"] = a.ComponentsCompared,
            ["final_states_differing"] = a.FinalStatesDiffering,
            ["figures"] = new JsonArray([.. a.Figures.Select(f => (JsonNode)new JsonObject
            {
                ["name"] = f.Name,
                ["values"] = new JsonArray([.. f.Values.Select(v => (JsonNode)v)]),
                ["mean"] = f.Mean,
                ["min"] = f.Min,
                ["max"] = f.Max,
                ["spread_percent"] = double.IsFinite(f.SpreadPercent) ? f.SpreadPercent : null,
            })]),
            ["first_divergence"] = a.FirstDivergence is { } d ? Div(d) : null,
            ["refinements"] = new JsonArray([.. refinements.Select(r => (JsonNode)Div(r))]),
        };
    }

    private static string Number(double v) => v == Math.Floor(v) && Math.Abs(v) < 1e15 ? v.ToString("N0", CultureInfo.InvariantCulture) : v.ToString("G6", CultureInfo.InvariantCulture);

    private static string Time(long ps) => ps == StateHashWriter.FinalPs ? "the end" : new SimTime(ps).ToString();
}
