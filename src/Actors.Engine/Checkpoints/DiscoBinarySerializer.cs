using System.Buffers;
using Akka.Actor;
using Akka.Serialization;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Checkpoints;

/// <summary>
/// The binary serializer of everything the checkpoint store persists (MessagePack encoding through
/// <see cref="StateWriter"/>), bound in HOCON instead of Akka's default JSON. Each manifest carries a schema
/// version; a payload of an unknown manifest or a malformed one is refused with <see cref="CorruptStateException"/>.
/// </summary>
public sealed class DiscoBinarySerializer : SerializerWithStringManifest
{
    public const int SerializerId = 7301;

    private const string ManifestV1 = "run-manifest.1";
    private const string StartedV1 = "checkpoint-started.1";
    private const string CompletedV1 = "checkpoint-completed.1";
    private const string CompletedV2 = "checkpoint-completed.2";
    private const string ChunkV1 = "checkpoint-chunk.1";
    private const string ChunkV2 = "checkpoint-chunk.2";

    public DiscoBinarySerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        RunManifest => ManifestV1,
        CheckpointStarted => StartedV1,
        CheckpointCompleted => CompletedV2,
        CheckpointChunk => ChunkV2,
        _ => throw new ArgumentException($"{o?.GetType().Name} is not a checkpoint record"),
    };

    public override byte[] ToBinary(object obj)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new StateWriter(buffer);
        switch (obj)
        {
            case RunManifest m:
                w.Write(m.RunId);
                w.Write(m.ModelVersion);
                w.Write(m.SchemaVersion);
                w.Write(m.ScenarioName);
                w.Write(m.ScenarioText);
                w.Write(m.ResolvedConfig);
                w.Write(m.Seed);
                w.Write(m.ConfigHash);
                w.Write(m.CreatedUnixMs);
                break;
            case CheckpointStarted s:
                w.Write(s.Epoch);
                break;
            case CheckpointCompleted c:
                w.Write(c.Epoch);
                w.Write(c.SimTimePs);
                w.Write(c.Events);
                w.Write(c.WallUnixMs);
                w.Write(c.Chunks);
                w.Write(c.Bytes);
                w.Write(c.CaptureSeconds);
                w.Write(c.StoreSeconds);
                w.Write(c.ImageChecksum);
                break;
            case CheckpointChunk chunk:
                w.Write(chunk.Epoch);
                w.Write(chunk.Index);
                w.Write(chunk.Payload);
                w.Write(chunk.Checksum);
                break;
            default:
                throw new ArgumentException($"{obj?.GetType().Name} is not a checkpoint record");
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new StateReader(bytes);
        object result = manifest switch
        {
            ManifestV1 => new RunManifest(
                r.ReadString("run id") ?? "",
                r.ReadString("model version") ?? "",
                r.ReadInt("schema version"),
                r.ReadString("scenario name") ?? "",
                r.ReadString("scenario text") ?? "",
                r.ReadString("resolved config") ?? "",
                r.ReadLong("seed"),
                r.ReadString("config hash") ?? "",
                r.ReadLong("created")),
            StartedV1 => new CheckpointStarted(r.ReadLong("epoch", 1, long.MaxValue)),
            CompletedV1 or CompletedV2 => new CheckpointCompleted(
                r.ReadLong("epoch", 1, long.MaxValue),
                r.ReadLong("sim time", 0, long.MaxValue),
                r.ReadLong("events", 0, long.MaxValue),
                r.ReadLong("wall time"),
                r.ReadInt("chunks", 0, 1 << 24),
                r.ReadLong("bytes", 0, long.MaxValue),
                r.ReadDouble("capture seconds"),
                r.ReadDouble("store seconds"),
                manifest == CompletedV2 ? r.ReadULong("image checksum") : 0),
            // Schema-1 chunks had no checksum: they are listed, never resumed (the manifest's schema is refused first).
            ChunkV1 => new CheckpointChunk(r.ReadLong("epoch", 1, long.MaxValue), r.ReadInt("chunk index", 0, 1 << 24), r.ReadBytes("chunk payload", int.MaxValue), 0),
            ChunkV2 => new CheckpointChunk(r.ReadLong("epoch", 1, long.MaxValue), r.ReadInt("chunk index", 0, 1 << 24), r.ReadBytes("chunk payload", int.MaxValue), r.ReadULong("chunk checksum")),
            _ => throw new CorruptStateException($"unknown checkpoint record '{manifest}' (written by another version of disco?)"),
        };
        return r.End ? result : throw new CorruptStateException($"{manifest}: {bytes.Length - r.Consumed} unexpected trailing bytes");
    }
}
