using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Disk;

/// <summary>
/// Requester → disk: read <see cref="Pages"/>.Length pages starting at <paramref name="Sector"/> into those machine
/// pages by DMA (or write them out, <paramref name="Write"/>); interrupt <paramref name="ReplyTo"/> when done.
/// </summary>
public sealed record DiskRequest(long RequestId, bool Write, [Bounds(0, long.MaxValue)] long Sector, [MaxCount(DiskRequest.MaxPages)] long[] Pages, [Bounds(0, int.MaxValue)] ComponentId ReplyTo) : ISimMessage
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
}

/// <summary>Disk → requester: the completion interrupt of request <paramref name="RequestId"/>.</summary>
public sealed record DiskComplete(long RequestId, [Bounds(0, DmaKey.MaxDisks - 1)] int Disk) : ISimMessage
{
    public int Kind => HardwareMessageKinds.DiskComplete;

    public ulong ContentHash() => Digest.Of(Kind, RequestId, Disk);
}

/// <summary>Disk → itself: the mechanism has finished the transfer of the request in service.</summary>
public sealed record DiskTransferDone : ISimMessage
{
    public static DiskTransferDone Instance { get; } = new();

    public int Kind => HardwareMessageKinds.DiskTransferDone;

    public ulong ContentHash() => (ulong)Kind;
}
