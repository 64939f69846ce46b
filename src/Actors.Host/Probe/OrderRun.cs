namespace Disco.Actors.Host.Probe;

/// <summary>One run of the probed scenario under one tie order: what the probe compares.</summary>
/// <param name="Order">The tie order (canonical first).</param>
/// <param name="Digest">The run's digest (it folds the handling order, so it differs whenever ties were reordered).</param>
/// <param name="Figures">Every numeric figure of its summary.json, flattened (<c>cpu_time_ps.user</c>, <c>vms.0.page_faults</c>...).</param>
/// <param name="StateHashes">(sample time, component) → state hash; the final state at <see cref="Output.StateHashWriter.FinalPs"/>.</param>
/// <param name="ComponentNames">Component id → kind#id.</param>
internal sealed record OrderRun(
    string Order,
    string Digest,
    IReadOnlyDictionary<string, double> Figures,
    IReadOnlyDictionary<(long TimePs, int Component), ulong> StateHashes,
    IReadOnlyDictionary<int, string> ComponentNames);
