namespace Disco.Actors.Engine.Checkpoints;

/// <summary>Marker of what the checkpoint store persists; bound to <see cref="DiscoBinarySerializer"/> in HOCON.</summary>
public interface ICheckpointRecord
{
}

/// <summary>
/// Journal event written once at the start of a run: everything <c>disco resume</c> needs to rebuild the model.
/// </summary>
public sealed record RunManifest(
    string RunId,
    string ModelVersion,
    int SchemaVersion,
    string ScenarioName,
    string ScenarioText,
    string ResolvedConfig,
    long Seed,
    string ConfigHash,
    long CreatedUnixMs) : ICheckpointRecord;

/// <summary>Journal event: epoch <see cref="Epoch"/> is about to be written (its chunks may be incomplete).</summary>
public sealed record CheckpointStarted(long Epoch) : ICheckpointRecord;

/// <summary>
/// Journal event written only after every chunk of an epoch is stored: only completed epochs are offered for resume,
/// so a crash in the middle of a checkpoint leaves the previous one usable.
/// </summary>
public sealed record CheckpointCompleted(long Epoch, long SimTimePs, long Events, long WallUnixMs, int Chunks, long Bytes, double CaptureSeconds, double StoreSeconds) : ICheckpointRecord;

/// <summary>Snapshot payload: a slice of an epoch's state (several partition images, each self-contained).</summary>
public sealed record CheckpointChunk(long Epoch, int Index, byte[] Payload) : ICheckpointRecord;
