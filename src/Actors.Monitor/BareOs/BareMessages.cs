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
public sealed record PageFault(int Process, long Vpn, SegmentPage Page, NodeId Node) : ISimMessage
{
    public int Kind => BareOsMessageKinds.PageFault;

    public ulong ContentHash() => Digest.Fold(Digest.Of(Kind, Process, Vpn, ((long)Page.Segment << 8) | (uint)Node.Value), Page.Index);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Process);
        writer.Write(Vpn);
        writer.Write(Page.Segment);
        writer.Write(Page.Index);
        writer.Write(Node.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new PageFault(
            reader.ReadInt("process", 0, int.MaxValue),
            reader.ReadLong("vpn", 0, long.MaxValue),
            new SegmentPage(reader.ReadInt("segment", -1, int.MaxValue), reader.ReadLong("segment page", 0, long.MaxValue)),
            new NodeId(reader.ReadInt("node", 0, MachineConstants.MaxNodes - 1)));
}

/// <summary>Page allocator → processor: the machine page that now backs the faulting page.</summary>
public sealed record PageFaultReply(int Process, long Vpn, MachinePage Page) : ISimMessage
{
    public int Kind => BareOsMessageKinds.PageFaultReply;

    public ulong ContentHash() => Digest.Of(Kind, Process, Vpn, Page.Value);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Process);
        writer.Write(Vpn);
        writer.Write(Page.Value);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new PageFaultReply(reader.ReadInt("process", 0, int.MaxValue), reader.ReadLong("vpn", 0, long.MaxValue), new MachinePage(reader.ReadLong("page", 0, long.MaxValue)));
}
