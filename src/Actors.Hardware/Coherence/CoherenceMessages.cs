using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

// The directory protocol (MESI, home-based, full bit vector). Every message travels between a processor and the home
// directory of its line (the owner answers a forward through the home), so each path is a FIFO channel: both ends
// send in non-decreasing time and a path's latency is fixed. The protocol relies on that order.

/// <summary>Processor → home: an L2 read miss (instruction or data). Granted shared, or exclusive if nobody holds the line.</summary>
public sealed record ReadRequest(LineAddress Line, NodeId Requester) : ISimMessage
{
    public int Kind => HardwareMessageKinds.ReadRequest;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value, Requester.Value);
}

/// <summary>Processor → home: a store missed, or hit a shared line (an upgrade, served without a memory read).</summary>
public sealed record ReadExclusiveRequest(LineAddress Line, NodeId Requester) : ISimMessage
{
    public int Kind => HardwareMessageKinds.ReadExclusiveRequest;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value, Requester.Value);
}

/// <summary>
/// Processor → home: a modified line left the L2. No reply: a forward that crosses it finds no copy.
/// <paramref name="Word"/>: the line's lock word (<see cref="LineWords"/>), 0 for every other line.
/// </summary>
public sealed record WritebackRequest(LineAddress Line, NodeId Requester, long Word = 0) : ISimMessage
{
    public int Kind => HardwareMessageKinds.WritebackRequest;

    public ulong ContentHash() => Word == 0 ? Digest.Of(Kind, Line.Value, Requester.Value) : Digest.Of(Kind, Line.Value, Requester.Value, Word);
}

/// <summary>
/// Home → processor: the line, shared or exclusive (for an upgrade, the permission alone), with its lock word
/// (<see cref="LineWords"/>; 0 for every other line).
/// </summary>
public sealed record DataReply(LineAddress Line, bool Exclusive, long Word = 0) : ISimMessage
{
    public int Kind => HardwareMessageKinds.DataReply;

    public ulong ContentHash() => Word == 0 ? Digest.Of(Kind, Line.Value, Exclusive ? 1 : 0) : Digest.Of(Kind, Line.Value, Exclusive ? 1 : 0, Word);
}

/// <summary>Home → sharer: drop the line and acknowledge (also sent when the sharer dropped it silently).</summary>
public sealed record Invalidate(LineAddress Line) : ISimMessage
{
    public int Kind => HardwareMessageKinds.Invalidate;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value);
}

/// <summary>Sharer → home: the line is gone from its caches.</summary>
public sealed record InvalidateAck(LineAddress Line, NodeId From) : ISimMessage
{
    public int Kind => HardwareMessageKinds.InvalidateAck;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value, From.Value);
}

/// <summary>Home → owner: another node wants the line; give it back and keep a shared copy, or none (<paramref name="Invalidate"/>).</summary>
public sealed record Forward(LineAddress Line, bool Invalidate) : ISimMessage
{
    public int Kind => HardwareMessageKinds.Forward;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value, Invalidate ? 1 : 0);
}

/// <summary>Owner → home: the line's data (and lock word) if it was modified; whether a shared copy stayed behind.</summary>
public sealed record ForwardReply(LineAddress Line, NodeId From, bool Dirty, bool KeptCopy, long Word = 0) : ISimMessage
{
    public int Kind => HardwareMessageKinds.ForwardReply;

    public ulong ContentHash() => Word == 0
        ? Digest.Of(Kind, Line.Value, From.Value, (Dirty ? 1 : 0) | (KeptCopy ? 2 : 0))
        : Digest.Of(unchecked((long)Digest.Of(Kind, Line.Value, From.Value, (Dirty ? 1 : 0) | (KeptCopy ? 2 : 0))), Word);
}

/// <summary>
/// Directory → its configured target: <paramref name="Node"/>'s misses to <paramref name="Page"/> in the current
/// counting interval reached the threshold. <paramref name="NodeMisses"/> holds every node's misses to the page in
/// the interval (a policy tells one node's page from a shared one by them) and <paramref name="Writes"/> the page's
/// read-exclusive requests from all nodes (a replication policy's write test).
/// </summary>
public sealed record HotPageInterrupt(MachinePage Page, NodeId Node, int[] NodeMisses, [Bounds(0, int.MaxValue)] int Writes) : ISimMessage
{
    public int Kind => HardwareMessageKinds.HotPageInterrupt;

    /// <summary>The hot node's misses: the threshold.</summary>
    public int Misses => NodeMisses[Node.Value];

    public ulong ContentHash()
    {
        ulong h = Digest.Of(Kind, Page.Value, Node.Value, Writes);
        foreach (int m in NodeMisses)
        {
            h = Digest.Fold(h, m);
        }

        return h;
    }
}

/// <summary>
/// Disk → home of a page: move a page between the disk and memory. <paramref name="ToMemory"/> (a disk read) makes
/// every cached copy of the page's lines invalid; otherwise (a disk write) modified lines are fetched back first.
/// </summary>
public sealed record DmaRequest(MachinePage Page, DmaKey Dma, bool ToMemory) : ISimMessage
{
    public int Kind => HardwareMessageKinds.DmaRequest;

    public ulong ContentHash() => Digest.Of(Kind, Page.Value, ((long)Dma.Disk << 1) | (ToMemory ? 1L : 0L), Dma.Tag);
}

/// <summary>Home → disk: the page's DMA is done (memory and caches agree).</summary>
public sealed record DmaDone(MachinePage Page, [Bounds(0, long.MaxValue)] long Tag) : ISimMessage
{
    public int Kind => HardwareMessageKinds.DmaDone;

    public ulong ContentHash() => Digest.Of(Kind, Page.Value, Tag);
}
