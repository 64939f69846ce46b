using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Model;

namespace Disco.Actors.Host.Runs;

/// <summary>Everything a run (new or resumed) needs once its inputs are validated.</summary>
internal sealed record RunPlan(
    SimConfig Config,
    SimulationModel Model,
    RunSettings Settings,
    CheckpointSettings Checkpoints,
    RunFolder Folder,
    string ScenarioName,
    long Seed,
    string ConfigHash,
    CheckpointImage? Resume,
    CheckpointCompleted? ResumeEpoch,
    long FirstEpoch,
    RunOwnership? Owner = null)
{
    public long StartPs => ResumeEpoch?.SimTimePs ?? 0;
}
