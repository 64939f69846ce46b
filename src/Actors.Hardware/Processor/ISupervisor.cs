using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Processor;

/// <summary>
/// Whoever is in control of a processor: an operating system model or the monitor. The processor traps
/// to it (TLB misses, privileged operations, the end of a stream), hands it every message that is not part of the
/// hardware's own protocols (interrupts, replies to what it sent), and asks it what to run. The hardware never names
/// the implementation. Its state is a part of the processor's declaration, and its declared counters are reported
/// with the processor's.
/// </summary>
public interface ISupervisor : IStateful
{
    /// <summary>What runs now; null when nothing is runnable (the processor idles until a message arrives).</summary>
    ExecutionStream? Current { get; }

    /// <summary>True when nothing will ever run again: the processor stops accounting time.</summary>
    bool Halted { get; }

    /// <summary>At the start of each quantum: scheduling decisions (time slices).</summary>
    TrapOutcome OnQuantum(ISupervisorContext context);

    /// <summary>
    /// A TLB refill trap (no valid entry for <paramref name="virtualAddress"/> in the current address space), or a
    /// TLB modified trap (<paramref name="readOnly"/>: a store to a page mapped read-only).
    /// </summary>
    TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context);

    /// <summary>A privileged operation, system call or disk read of the current stream.</summary>
    TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context);

    /// <summary>The current stream has no more operations.</summary>
    TrapOutcome OnStreamEnd(ISupervisorContext context);

    /// <summary>An interrupt (hot page, disk completion) or a reply to something the supervisor sent.</summary>
    TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context);

    /// <summary>Figures beyond the declared counters (derived ones, those of parts declared elsewhere); none by default.</summary>
    void ReportStats(IStatsSink sink)
    {
    }
}
