using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Hardware.Processor;

/// <summary>What a supervisor may do from inside a trap: read the time, write the TLB, send messages.</summary>
public interface ISupervisorContext
{
    NodeId Node { get; }

    ComponentId Processor { get; }

    /// <summary>The processor's own time at the trap (it may run ahead of the engine's clock within a quantum).</summary>
    long LocalPs { get; }

    /// <summary>The processor's time so far, indexed by <see cref="CpuTimeBucket"/> (for per-VM accounting).</summary>
    IReadOnlyList<long> TimePs { get; }

    /// <summary>The part of the stall bucket by the mode that stalled, indexed by <see cref="ExecutionMode"/> number.</summary>
    IReadOnlyList<long> StallByModePs { get; }

    /// <summary>The processor's TLB, for probes, shootdowns and flushes.</summary>
    SoftwareTlb Tlb { get; }

    /// <summary>Writes a TLB entry the MIPS way (<c>tlbwr</c>: over the same pair, else at the "random" index).</summary>
    void WriteTlb(in TlbEntry entry);

    /// <summary>Sends a message that leaves the processor at <see cref="LocalPs"/> plus <paramref name="afterPs"/>.</summary>
    void Send(ComponentId target, ISimMessage message, long afterPs = 0);
}
