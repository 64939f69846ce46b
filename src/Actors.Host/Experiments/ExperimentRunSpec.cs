using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// One configuration of a study as its file lists it: a scenario, the overrides of every scale (<see cref="Set"/>)
/// and those of one scale only (<see cref="PerScale"/>). <see cref="Group"/> gathers the bars normalized together
/// (the first run of a group is its reference); <see cref="Label"/> names the bar.
/// </summary>
internal sealed record ExperimentRunSpec(
    string Id,
    string ScenarioPath,
    string Group,
    string Label,
    IReadOnlyList<ConfigOverride> Set,
    IReadOnlyDictionary<string, IReadOnlyList<ConfigOverride>> PerScale);
