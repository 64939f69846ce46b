namespace Disco.Actors.Engine.Checkpoints;

/// <summary>
/// Versions a checkpoint is tied to. <see cref="Model"/> changes whenever a change to any model or to the engine's
/// ordering would change a run's digest; <see cref="Schema"/> whenever the checkpoint encoding changes. A checkpoint
/// written under other versions is refused: resuming it could not reproduce the original run.
/// </summary>
public static class ModelVersion
{
    public const string Model = "disco-model-1";

    public const int Schema = 2;
}
