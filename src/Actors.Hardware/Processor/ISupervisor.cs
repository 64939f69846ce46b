using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Hardware.Processor;

/// <summary>The privilege level a processor's time is charged to (idle and memory stall are separate buckets).</summary>
public enum ExecutionMode : byte
{
    User = 0,

    /// <summary>An operating system kernel (bare IRIX, or a guest kernel in supervisor mode under a monitor).</summary>
    Kernel = 1,

    /// <summary>A virtual machine monitor.</summary>
    Monitor = 2,
}

/// <summary>
/// What runs on a processor: an operation stream, its privilege level and its address space, plus the operation the
/// processor has taken from the stream but not finished (retried after a trap, completed after a miss). That
/// operation stays with its stream when the supervisor switches to another, and is saved with it.
/// </summary>
public sealed class ExecutionStream : IStateful
{
    public ExecutionStream(IOperationSource source, ExecutionMode mode, int asid, bool kernelSegments = false)
    {
        KernelSegments = kernelSegments;
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        Mode = mode;
        Asid = asid is >= 0 and <= TlbEntry.MaxAsid ? asid : throw new ArgumentOutOfRangeException(nameof(asid), asid, "ASID must be in [0, 255]");
    }

    public IOperationSource Source { get; }

    public ExecutionMode Mode { get; set; }

    public int Asid { get; }

    /// <summary>
    /// True when the stream runs in the processor's kernel mode and may use the unmapped segment
    /// (<see cref="MachineConstants.Kseg0Base"/>): a kernel on bare hardware, the monitor. A guest kernel under the
    /// monitor runs in supervisor mode and may not: its references go through the TLB.
    /// </summary>
    public bool KernelSegments { get; }

    public bool HasPending { get; set; }

    public Operation Pending { get; set; }

    /// <summary>Traps taken by the pending operation: a handler that never maps it is a model bug, caught here.</summary>
    public int PendingTraps { get; set; }

    /// <summary>The mode, the pending operation and the stream's own state (its source saves itself).</summary>
    public void DeclareState(ref StateIo io)
    {
        var mode = Mode;
        io.Enum("execution mode", ref mode);
        Mode = mode;
        bool hasPending = HasPending;
        io.Bool("has pending operation", ref hasPending);
        HasPending = hasPending;
        var pending = Pending;
        io.Value("pending operation", ref pending);
        Pending = pending;
        int traps = PendingTraps;
        io.Int("pending traps", ref traps, 0, 1 << 20);
        PendingTraps = traps;
        if (io.IsSaving)
        {
            Source.Save(ref io.Writer);
        }
        else if (io.IsLoading)
        {
            Source.Load(ref io.Reader);
        }
    }

    /// <summary>Writes the mode, the pending operation and the stream's own state.</summary>
    public void Save(ref StateWriter writer) => this.SaveTo(ref writer);

    public void Load(ref StateReader reader) => this.LoadFrom(ref reader);
}

/// <summary>What the processor does after a trap.</summary>
public enum TrapAction : byte
{
    /// <summary>Charge the cost and go on (retry the operation that trapped, if one did).</summary>
    Continue = 0,

    /// <summary>Charge the cost, then wait (no events) until a message for the supervisor arrives; the wait is charged to the mode.</summary>
    Wait = 1,
}

/// <summary>The result of a trap or interrupt: how long its handler ran, in which mode, and what comes next.</summary>
public readonly record struct TrapOutcome(long CostPs, ExecutionMode Mode, TrapAction Action = TrapAction.Continue)
{
    /// <summary>
    /// With <see cref="TrapAction.Wait"/>: the mode the waiting time is charged to, when it is not <see cref="Mode"/>
    /// (a monitor's handler costs monitor time, but a VCPU spinning for its guest's lock spins in the guest's kernel).
    /// </summary>
    public ExecutionMode? WaitMode { get; init; }

    /// <summary>
    /// With <see cref="TrapAction.Wait"/>: the processor has nothing to run meanwhile, so the wait is idle time (a
    /// guest thread asleep on a semaphore). Takes precedence over <see cref="WaitMode"/>.
    /// </summary>
    public bool WaitIdle { get; init; }

    public static TrapOutcome None => new(0, ExecutionMode.Kernel);
}

/// <summary>What a supervisor may do from inside a trap: read the time, write the TLB, send messages.</summary>
public interface ISupervisorContext
{
    NodeId Node { get; }

    ComponentId Processor { get; }

    /// <summary>The processor's own time at the trap (it may run ahead of the engine's clock within a quantum).</summary>
    long LocalPs { get; }

    /// <summary>The processor's time so far by bucket: user, kernel, monitor, idle, stall (for per-VM accounting).</summary>
    IReadOnlyList<long> TimePs { get; }

    /// <summary>The processor's TLB, for probes, shootdowns and flushes.</summary>
    SoftwareTlb Tlb { get; }

    /// <summary>Writes a TLB entry the MIPS way (<c>tlbwr</c>: over the same pair, else at the "random" index).</summary>
    void WriteTlb(in TlbEntry entry);

    /// <summary>Sends a message that leaves the processor at <see cref="LocalPs"/> plus <paramref name="afterPs"/>.</summary>
    void Send(ComponentId target, ISimMessage message, long afterPs = 0);
}

/// <summary>
/// Whoever is in control of a processor: a bare operating system stub here, the monitor later. The processor traps
/// to it (TLB misses, privileged operations, the end of a stream), hands it every message that is not part of the
/// hardware's own protocols (interrupts, replies to what it sent), and asks it what to run. The hardware never names
/// the implementation. Its state is part of the processor's checkpoint.
/// </summary>
public interface ISupervisor
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

    void Save(ref StateWriter writer);

    void Load(ref StateReader reader);

    void ReportStats(IStatsSink sink);
}
