using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// Processor (bare OS) → page allocator: process <paramref name="Process"/> touched virtual page
/// <paramref name="Vpn"/> for the first time. A shared <paramref name="Page"/> names the region's page: every process
/// gets the same machine page; a private one is <see cref="SegmentPage.Private"/>.
/// </summary>
public sealed record PageFault([Bounds(0, int.MaxValue)] int Process, [Bounds(0, long.MaxValue)] long Vpn, SegmentPage Page, NodeId Node) : ISimMessage
{
    public int Kind => BareOsMessageKinds.PageFault;

    public ulong ContentHash() => Digest.Fold(Digest.Of(Kind, Process, Vpn, ((long)Page.Segment << 8) | (uint)Node.Value), Page.Index);
}

/// <summary>Page allocator → processor: the machine page that now backs the faulting page.</summary>
public sealed record PageFaultReply([Bounds(0, int.MaxValue)] int Process, [Bounds(0, long.MaxValue)] long Vpn, MachinePage Page) : ISimMessage
{
    public int Kind => BareOsMessageKinds.PageFaultReply;

    public ulong ContentHash() => Digest.Of(Kind, Process, Vpn, Page.Value);
}
