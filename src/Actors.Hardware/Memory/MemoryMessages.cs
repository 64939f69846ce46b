using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Memory;

// Between a node's directory and its memory controller: one link each way (positive latency), both FIFO. The
// controller serves requests in arrival order, so its answers come back in the order of their sequence numbers; the
// directory numbers every request that wants an answer (reads, fences) and checks that order.

/// <summary>Directory → memory controller: read a line; answered by <see cref="MemoryData"/> with the same sequence number.</summary>
public sealed record MemoryRead(LineAddress Line, [Bounds(1, long.MaxValue)] long Sequence) : ISimMessage
{
    public int Kind => HardwareMessageKinds.MemoryRead;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value, Sequence);
}

/// <summary>Memory controller → directory: the line's data is in the node controller (the answer to a <see cref="MemoryRead"/>).</summary>
public sealed record MemoryData(LineAddress Line, [Bounds(1, long.MaxValue)] long Sequence) : ISimMessage
{
    public int Kind => HardwareMessageKinds.MemoryData;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value, Sequence);
}

/// <summary>Directory → memory controller: write a line (a write-back, a dirty line fetched back, a page of DMA). No answer.</summary>
public sealed record MemoryWrite(LineAddress Line) : ISimMessage
{
    public int Kind => HardwareMessageKinds.MemoryWrite;

    public ulong ContentHash() => Digest.Of(Kind, Line.Value);
}

/// <summary>Directory → memory controller: answer when the memory has finished every access given before this one.</summary>
public sealed record MemoryFence([Bounds(1, long.MaxValue)] long Sequence) : ISimMessage
{
    public int Kind => HardwareMessageKinds.MemoryFence;

    public ulong ContentHash() => Digest.Of(Kind, Sequence);
}

/// <summary>Memory controller → directory: everything before the fence is done (a DMA may complete).</summary>
public sealed record MemoryFenceDone([Bounds(1, long.MaxValue)] long Sequence) : ISimMessage
{
    public int Kind => HardwareMessageKinds.MemoryFenceDone;

    public ulong ContentHash() => Digest.Of(Kind, Sequence);
}
