using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// What a scale changes for every run of a study: overrides (smaller workloads), the default number of repetitions,
/// how often each run checkpoints (simulated time and/or wall clock: a checkpoint pauses the run, so a short run
/// takes few) and how often it writes the progress row the display reads (simulated time).
/// </summary>
internal sealed record ScaleSettings(IReadOnlyList<ConfigOverride> Set, int Repeat, string CheckpointEvery, string CheckpointWallEvery, string ProgressEvery)
{
    /// <summary>Three repetitions at full scale (a confidence interval needs more than one), one at small scale.</summary>
    public static ScaleSettings Default(string scale) =>
        scale == "full" ? new([], 3, "100ms", "120s", "10ms") : new([], 1, "off", "5s", "1ms");
}
