using System.Globalization;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Experiments;

/// <summary>One run of a plan: a configuration's repetition, in its own folder.</summary>
internal sealed record PlannedRun(
    Study Study,
    ExperimentRunSpec Spec,
    string Id,
    int Repetition,
    long Seed,
    string ConfigHash,
    string Folder,
    IReadOnlyList<ConfigOverride> Overrides,
    ScaleSettings Scale)
{
    /// <summary>The <c>disco run</c> arguments (the overrides turn checkpoints on and metrics rows for the progress display).</summary>
    public IReadOnlyList<string> RunArguments(int threads)
    {
        var args = new List<string> { "run", Spec.ScenarioPath, "--out", Folder, "--threads", threads.ToString(CultureInfo.InvariantCulture) };
        foreach (var o in Overrides)
        {
            args.Add("--set");
            args.Add($"{o.Key}={o.Value}");
        }

        return args;
    }
}
