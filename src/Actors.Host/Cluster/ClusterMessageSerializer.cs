using System.Buffers;
using Akka.Actor;
using Akka.Serialization;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Host.Cluster;

/// <summary>Binary serializer of the conductor–worker protocol (MessagePack through <see cref="StateWriter"/>).</summary>
internal sealed class ClusterMessageSerializer : SerializerWithStringManifest
{
    public ClusterMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => 7303;

    public override string Manifest(object o) => o switch
    {
        HostPartitions => "host.1",
        HostingRefused => "refused.1",
        RunFinished => "finished.1",
        ResumeSpec => "resume.2",
        _ => throw new ArgumentException($"{o?.GetType().Name} is not a cluster message"),
    };

    public override byte[] ToBinary(object obj)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        var w = new StateWriter(buffer);
        switch (obj)
        {
            case HostPartitions m:
                w.Write(m.ModelVersion);
                w.Write(m.ResolvedConfig);
                w.Write(m.Partitions);
                w.Write(m.Assigned);
                w.Write(Serialization.SerializedActorPath(m.Conductor));
                w.Write(m.Resume is not null);
                if (m.Resume is { } r)
                {
                    WriteResume(ref w, r);
                }

                w.Write(m.Attempt);
                break;
            case HostingRefused m:
                w.Write(m.Worker);
                w.Write(m.Reason);
                w.Write(m.BadInput);
                break;
            case RunFinished m:
                w.Write(m.ExitCode);
                break;
            case ResumeSpec m:
                WriteResume(ref w, m);
                break;
            default:
                throw new ArgumentException($"{obj?.GetType().Name} is not a cluster message");
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new StateReader(bytes);
        object result = manifest switch
        {
            "host.1" => new HostPartitions(
                r.ReadString("model version") ?? "",
                r.ReadString("config") ?? "",
                r.ReadInt("partitions", 0, int.MaxValue),
                r.ReadIntArray("assigned", 1 << 26),
                system.Provider.ResolveActorRef(r.ReadString("conductor") ?? ""),
                r.ReadBool("resume") ? ReadResume(ref r) : null,
                r.ReadInt("attempt", 0, int.MaxValue)),
            "refused.1" => new HostingRefused(r.ReadString("worker") ?? "", r.ReadString("reason") ?? "", r.ReadBool("bad input")),
            "finished.1" => new RunFinished(r.ReadInt("exit code")),
            "resume.2" => ReadResume(ref r),
            _ => throw new CorruptStateException($"unknown cluster message '{manifest}' (a process of another disco version?)"),
        };
        return result;
    }

    private static void WriteResume(ref StateWriter w, ResumeSpec r)
    {
        w.Write(r.RunId);
        w.Write(r.Db);
        w.Write(r.Epoch);
        w.Write(r.SimTimePs);
        w.Write(r.Events);
        w.Write(r.WallUnixMs);
        w.Write(r.Chunks);
        w.Write(r.Bytes);
        w.Write(r.ImageChecksum);
    }

    private static ResumeSpec ReadResume(ref StateReader r) => new(
        r.ReadString("run id") ?? "", r.ReadString("db") ?? "", r.ReadLong("epoch"), r.ReadLong("sim time"),
        r.ReadLong("events"), r.ReadLong("wall"), r.ReadInt("chunks", 0, 1 << 24), r.ReadLong("bytes"), r.ReadULong("image checksum"));
}
