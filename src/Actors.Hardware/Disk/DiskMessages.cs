using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Disk;

/// <summary>
/// Requester → disk: read <see cref="Pages"/>.Length pages starting at <paramref name="Sector"/> into those machine
/// pages by DMA (or write them out, <paramref name="Write"/>); interrupt <paramref name="ReplyTo"/> when done.
/// </summary>
public sealed record DiskRequest(long RequestId, bool Write, long Sector, long[] Pages, ComponentId ReplyTo) : ISimMessage
{
    public const int MaxPages = 1024;

    public int Kind => HardwareMessageKinds.DiskRequest;

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, RequestId, Sector, ((long)ReplyTo.Value << 1) | (Write ? 1L : 0L));
        foreach (long p in Pages)
        {
            h = Digest.Fold(h, p);
        }

        return h;
    }

    void ISimMessage.Write(ref StateWriter writer)
    {
        writer.Write(RequestId);
        writer.Write(Write);
        writer.Write(Sector);
        writer.Write(Pages);
        writer.Write(ReplyTo.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new DiskRequest(
            reader.ReadLong("request id"),
            reader.ReadBool("write"),
            reader.ReadLong("sector", 0, long.MaxValue),
            reader.ReadLongArray("pages", MaxPages),
            new ComponentId(reader.ReadInt("reply to", 0, int.MaxValue)));
}

/// <summary>Disk → requester: the completion interrupt of request <paramref name="RequestId"/>.</summary>
public sealed record DiskComplete(long RequestId, int Disk) : ISimMessage
{
    public int Kind => HardwareMessageKinds.DiskComplete;

    public ulong ContentHash() => Digest.Of(Kind, RequestId, Disk);

    public void Write(ref StateWriter writer)
    {
        writer.Write(RequestId);
        writer.Write(Disk);
    }

    public static ISimMessage Read(ref StateReader reader) => new DiskComplete(reader.ReadLong("request id"), reader.ReadInt("disk", 0, 255));
}

/// <summary>Disk → itself: the mechanism has finished the transfer of the request in service.</summary>
public sealed record DiskTransferDone : ISimMessage
{
    public static DiskTransferDone Instance { get; } = new();

    public int Kind => HardwareMessageKinds.DiskTransferDone;

    public ulong ContentHash() => (ulong)Kind;

    public void Write(ref StateWriter writer)
    {
    }

    public static ISimMessage Read(ref StateReader reader) => Instance;
}
