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
    private KernelService _service;
    private PathCompletion _completion;
    private long _argument;
    private LockState _lock;
    private int _lockId;
    private long _startPs;
    private long _nestedPs;

    /// <summary>An empty path, to be filled by loading its state.</summary>
    public KernelPath()
        : this(KernelService.OtherSyscall, [])
    {
    }

    public KernelPath(KernelService service, List<Operation> ops, PathCompletion completion = PathCompletion.None, long argument = 0)
    {
        ArgumentNullException.ThrowIfNull(ops);
        _service = service;
        _ops = ops;
        _completion = completion;
        _argument = argument;
    }

    public KernelService Service { get => _service; set => _service = value; }

    /// <summary>What the kernel does when the path ends.</summary>
    public PathCompletion Completion => _completion;

    public long Argument => _argument;

    /// <summary>SMP guests: the hold on <see cref="LockId"/> this path needs while it runs (VM-structure operations).</summary>
    public LockState Lock { get => _lock; set => _lock = value; }

    /// <summary>Which of the kernel's locks (<see cref="KernelLocks"/>) the path takes.</summary>
    public int LockId { get => _lockId; set => _lockId = value; }

    /// <summary>Local time the path started.</summary>
    public long StartPs { get => _startPs; set => _startPs = value; }

    /// <summary>Time of the paths nested in this one (charged to their own services).</summary>
    public long NestedPs { get => _nestedPs; set => _nestedPs = value; }

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

    public void DeclareState(ref StateIo io)
    {
        io.Enum("path service", ref _service);
        io.Enum("path completion", ref _completion);
        io.Long("path argument", ref _argument);
        io.Long("path start", ref _startPs, 0);
        io.Long("path nested time", ref _nestedPs, 0);
        io.Enum("path lock", ref _lock);
        io.Int("path lock id", ref _lockId, 0, KernelLocks.Count - 1);
        io.Int("path position", ref _next, 0, MaxOps);
        io.List("path operations", _ops, MaxOps, static (ref StateIo io, ref Operation op) => io.Value("path operation", ref op));
        if (io.IsLoading && _next > _ops.Count)
        {
            throw new CorruptStateException($"kernel path: position {_next} beyond its {_ops.Count} operations");
        }
    }
}
