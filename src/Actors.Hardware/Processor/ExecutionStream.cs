using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Hardware.Processor;

/// <summary>
/// What runs on a processor: an operation stream, its privilege level and its address space, plus the operation the
/// processor has taken from the stream but not finished (retried after a trap, completed after a miss). That
/// operation stays with its stream when the supervisor switches to another, and is saved with it.
/// </summary>
public sealed class ExecutionStream : IStateful
{
    private ExecutionMode _mode;
    private bool _hasPending;
    private Operation _pending;
    private int _pendingTraps;

    public ExecutionStream(IOperationSource source, ExecutionMode mode, int asid, bool kernelSegments = false)
    {
        KernelSegments = kernelSegments;
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        Mode = mode;
        Asid = asid is >= 0 and <= TlbEntry.MaxAsid ? asid : throw new ArgumentOutOfRangeException(nameof(asid), asid, "ASID must be in [0, 255]");
    }

    public IOperationSource Source { get; }

    public ExecutionMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    public int Asid { get; }

    /// <summary>
    /// True when the stream runs in the processor's kernel mode and may use the unmapped segment
    /// (<see cref="MachineConstants.Kseg0Base"/>): a kernel on bare hardware, the monitor. A guest kernel under the
    /// monitor runs in supervisor mode and may not: its references go through the TLB.
    /// </summary>
    public bool KernelSegments { get; }

    public bool HasPending
    {
        get => _hasPending;
        set => _hasPending = value;
    }

    public Operation Pending
    {
        get => _pending;
        set => _pending = value;
    }

    /// <summary>Traps taken by the pending operation: a handler that never maps it is a model bug, caught here.</summary>
    public int PendingTraps
    {
        get => _pendingTraps;
        set => _pendingTraps = value;
    }

    /// <summary>The mode, the pending operation, then its source's own state.</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Enum("execution mode", ref _mode);
        io.Bool("has pending operation", ref _hasPending);
        io.Value("pending operation", ref _pending);
        io.Int("pending traps", ref _pendingTraps, 0, 1 << 20);
        io.Part(Source);
    }
}
