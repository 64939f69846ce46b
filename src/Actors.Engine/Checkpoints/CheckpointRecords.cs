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
/// so a crash in the middle of a checkpoint leaves the previous one usable. <see cref="ImageChecksum"/> covers the
/// whole image (the chunks' checksums in order; 0 in records of schema 1, which had none).
/// </summary>
public sealed record CheckpointCompleted(long Epoch, long SimTimePs, long Events, long WallUnixMs, int Chunks, long Bytes, double CaptureSeconds, double StoreSeconds, ulong ImageChecksum = 0) : ICheckpointRecord;

/// <summary>
/// Snapshot payload: a slice of an epoch's state (several partition images, each self-contained), with the XxHash64
/// <see cref="Checksum"/> of its epoch, index and payload, checked before anything is decoded.
/// </summary>
public sealed record CheckpointChunk(long Epoch, int Index, byte[] Payload, ulong Checksum) : ICheckpointRecord
{
    public static CheckpointChunk Of(long epoch, int index, byte[] payload) => new(epoch, index, payload, ChecksumOf(epoch, index, payload));

    /// <summary>Null when the chunk's bytes are as written; else what is wrong.</summary>
    public string? Damage() => ChecksumOf(Epoch, Index, Payload) == Checksum ? null : "checksum mismatch";

    public static ulong ChecksumOf(long epoch, int index, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var hash = new System.IO.Hashing.XxHash64();
        Span<byte> header = stackalloc byte[12];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(header, epoch);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header[8..], index);
        hash.Append(header);
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }

    /// <summary>The checksum of a whole image: its chunks' checksums, in order.</summary>
    public static ulong ImageChecksumOf(IEnumerable<ulong> chunkChecksums)
    {
        ArgumentNullException.ThrowIfNull(chunkChecksums);
        var hash = new System.IO.Hashing.XxHash64();
        Span<byte> one = stackalloc byte[8];
        foreach (ulong c in chunkChecksums)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(one, c);
            hash.Append(one);
        }

        return hash.GetCurrentHashAsUInt64();
    }
}
