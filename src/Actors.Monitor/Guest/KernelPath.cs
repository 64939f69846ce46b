using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// One run of kernel code as the processor executes it: instruction fetches from the kernel's text, loads and stores
/// to its data, page tables and buffers, and the privileged instructions that (under the monitor) trap. The kernel
/// decides what a service does when it is entered; the path is the cost of doing it, run on the real caches and
/// TLB. Time spent in the path, less the paths nested in it, is the service's time.
/// </summary>
public sealed class KernelPath : IOperationSource
{
    private const int MaxOps = 1 << 16;

    private readonly List<Operation> _ops;
    private int _next;

    /// <summary>An empty path, to be filled by <see cref="Load"/>.</summary>
    public KernelPath()
        : this(KernelService.OtherSyscall, [])
    {
    }

    public KernelPath(KernelService service, List<Operation> ops, PathCompletion completion = PathCompletion.None, long argument = 0)
    {
        ArgumentNullException.ThrowIfNull(ops);
        Service = service;
        _ops = ops;
        Completion = completion;
        Argument = argument;
    }

    public KernelService Service { get; set; }

    /// <summary>What the kernel does when the path ends.</summary>
    public PathCompletion Completion { get; private set; }

    public long Argument { get; private set; }

    /// <summary>SMP guests: the hold on <see cref="LockId"/> this path needs while it runs (VM-structure operations).</summary>
    public LockState Lock { get; set; }

    /// <summary>Which of the kernel's locks (<see cref="KernelLocks"/>) the path takes.</summary>
    public int LockId { get; set; }

    /// <summary>Local time the path started.</summary>
    public long StartPs { get; set; }

    /// <summary>Time of the paths nested in this one (charged to their own services).</summary>
    public long NestedPs { get; set; }

    public int Remaining => _ops.Count - _next;

    public bool TryNext(out Operation operation)
    {
        if (_next < _ops.Count)
        {
            operation = _ops[_next++];
            return true;
        }

        operation = default;
        return false;
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write((int)Service);
        writer.Write((int)Completion);
        writer.Write(Argument);
        writer.Write(StartPs);
        writer.Write(NestedPs);
        writer.Write((int)Lock);
        writer.Write(LockId);
        writer.Write(_next);
        writer.WriteCount(_ops.Count);
        foreach (var op in _ops)
        {
            op.Write(ref writer);
        }
    }

    public void Load(ref StateReader reader)
    {
        Service = (KernelService)reader.ReadInt("path service", 0, KernelServices.Count - 1);
        Completion = (PathCompletion)reader.ReadInt("path completion", 0, (int)PathCompletion.Exit);
        Argument = reader.ReadLong("path argument");
        StartPs = reader.ReadLong("path start", 0, long.MaxValue);
        NestedPs = reader.ReadLong("path nested time", 0, long.MaxValue);
        Lock = (LockState)reader.ReadInt("path lock", 0, (int)LockState.Held);
        LockId = reader.ReadInt("path lock id", 0, KernelLocks.Count - 1);
        int next = reader.ReadInt("path position", 0, MaxOps);
        int n = reader.ReadCount("path operations", MaxOps);
        _ops.Clear();
        for (int i = 0; i < n; i++)
        {
            _ops.Add(Operation.Read(ref reader));
        }

        _next = next <= n ? next : throw new CorruptStateException($"kernel path: position {next} beyond its {n} operations");
    }
}

/// <summary>The SMP guest kernel's locks on its VM subsystem.</summary>
public static class KernelLocks
{
    /// <summary>The spin lock on the memory-management structures: page-table updates, fork, exec, exit [D 5.5].</summary>
    public const int Memlock = 0;

    /// <summary>
    /// The semaphore of a region shared by the threads of one program: IRIX holds it across a whole fault on the
    /// region (zeroing included), so threads that fault on one region at once serialize (PARAMETERS.md, radix).
    /// </summary>
    public const int RegionSemaphore = 1;

    public const int Count = 2;

    /// <summary>Counter prefix of each lock.</summary>
    public static readonly string[] Names = ["memlock", "region_sem"];
}

/// <summary>A path's hold on one of the SMP guest's locks.</summary>
public enum LockState
{
    None = 0,
    Needed = 1,
    Requested = 2,
    Held = 3,
}

/// <summary>What the kernel does when a path ends.</summary>
public enum PathCompletion
{
    None = 0,

    /// <summary>Run the process in slot <see cref="KernelPath.Argument"/> next (the end of a context switch).</summary>
    SwitchTo = 1,

    /// <summary>The current process is gone: free its slot and start the next job.</summary>
    Exit = 2,
}
