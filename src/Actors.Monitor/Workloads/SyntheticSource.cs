using System.Runtime.CompilerServices;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// An operation stream drawn from a <see cref="SyntheticProfile"/>: basic blocks of instructions, each followed by
/// its share of loads and stores over the private working set (sequential runs, a hot part, the rest uniform) or
/// the shared region, and now and then a system call or a file read. Its generator is its own, seeded from (run
/// seed, process number), and saved with it: the stream is the same on every engine and after a resume.
/// </summary>
public sealed class SyntheticSource : IOperationSource
{
    /// <summary>Where each region starts in every process's virtual address space.</summary>
    public const long CodeBase = 0x0040_0000;

    public const long DataBase = 0x1000_0000;

    public const long DiskBufferBase = 0x3000_0000;

    public const long SharedBase = 0x4000_0000;

    private const double FallThrough = 0.5;

    private readonly SyntheticProfile _p;
    private readonly long _hotCodeBytes;
    private readonly long _hotDataBytes;
    private readonly double _blockStop;
    private readonly double _logContinue;

    // The profile's figures the per-operation draws compare with, read once (the stream asks them several times per
    // operation).
    private readonly long _codeEnd;
    private readonly long _privateEnd;
    private readonly long _workingSetBytes;
    private readonly ulong _sequential;
    private readonly ulong _hotShare;
    private readonly ulong _storeFraction;
    private readonly ulong _fallThrough;
    private readonly ulong _codeLocality;

    // State: see DeclareState. The generator is held by value so that its draws inline (StreamRandom).
    private StreamRandom _random;
    private long _instructions;
    private long _pc;
    private long _lastPrivate;
    private long _lastShared;
    private int _dataOpsDue;
    private double _memoryDebt;
    private PendingCall _pendingExtra;   // issued after the block's data operations

    public SyntheticSource(SyntheticProfile profile, long runSeed, int process)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _p = profile;
        _random = StreamRandom.From(SimRandom.ForComponent(unchecked((long)Digest.Of(runSeed, 0x5EED_0F_5711)), new ComponentId(process)));
        _hotCodeBytes = Math.Max(64, profile.CodeBytes / 8) & ~3L;
        _hotDataBytes = Math.Max(8, (long)(profile.WorkingSetBytes * profile.HotFraction)) & ~7L;
        _blockStop = 1.0 / profile.BlockInstructions;
        _logContinue = Math.Log(1.0 - _blockStop);
        _codeEnd = CodeBase + profile.CodeBytes;
        _privateEnd = DataBase + profile.WorkingSetBytes;
        _workingSetBytes = profile.WorkingSetBytes;
        _sequential = StreamRandom.Threshold(profile.Sequential);
        _hotShare = StreamRandom.Threshold(profile.HotShare);
        _storeFraction = StreamRandom.Threshold(profile.StoreFraction);
        _fallThrough = StreamRandom.Threshold(FallThrough);
        _codeLocality = StreamRandom.Threshold(profile.CodeLocality);
        _pc = CodeBase;
        _lastPrivate = DataBase;
        _lastShared = SharedBase;
    }

    public SyntheticProfile Profile => _p;

    public long InstructionsIssued => _instructions;

    // Small enough to inline where the caller knows the stream (a guest job's): a data operation, the commonest,
    // then costs one call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryNext(out Operation operation)
    {
        if (_dataOpsDue > 0)
        {
            _dataOpsDue--;
            operation = NextData();
            return true;
        }

        return NextBlock(out operation);
    }

    /// <summary>After a block's loads and stores: its system call or file read if it drew one, else the next block.</summary>
    private bool NextBlock(out Operation operation)
    {
        if (_pendingExtra != PendingCall.None)
        {
            var extra = _pendingExtra;
            _pendingExtra = PendingCall.None;
            operation = extra == PendingCall.Syscall ? Operation.Privileged(1) : Operation.DiskRead(DiskBufferBase, _p.DiskReadPages);
            return true;
        }

        if (_instructions >= _p.Instructions)
        {
            operation = default;
            return false;
        }

        // A basic block: geometric length, then its loads and stores, then maybe a system call or a file read. The
        // generator is worked on in a local (registers, not the object's memory) and stored back once.
        var random = _random;
        int n = _blockStop >= 1 ? 1 : (int)Math.Min(4096, 1 + Math.Floor(Math.Log(1.0 - random.NextDouble()) / _logContinue));
        n = (int)Math.Min(n, _p.Instructions - _instructions);
        operation = Operation.Fetch(_pc, n);
        _instructions += n;
        _pc += 4L * n;
        if (_pc >= _codeEnd || !random.Below(_fallThrough))
        {
            long range = random.Below(_codeLocality) ? _hotCodeBytes : _p.CodeBytes;
            _pc = CodeBase + ((long)(random.NextDouble() * range) & ~3L);
        }

        _memoryDebt += n * _p.MemoryOpsPerInstruction;
        _dataOpsDue = (int)_memoryDebt;
        _memoryDebt -= _dataOpsDue;
        double perInstruction = 1e-6 * n;
        if (_p.SyscallsPerMillion > 0 && random.NextDouble() < _p.SyscallsPerMillion * perInstruction)
        {
            _pendingExtra = PendingCall.Syscall;
        }
        else if (_p.DiskReadsPerMillion > 0 && random.NextDouble() < _p.DiskReadsPerMillion * perInstruction)
        {
            _pendingExtra = PendingCall.DiskRead;
        }

        _random = random;
        return true;
    }

    private Operation NextData()
    {
        // The generator in a local, as in NextBlock.
        var random = _random;
        Operation op;
        if (_p.SharedBytes > 0 && random.NextDouble() < _p.SharedShare)
        {
            _lastShared = random.NextDouble() < _p.SharedSequential && _lastShared + 8 < SharedBase + _p.SharedBytes
                ? _lastShared + 8
                : SharedBase + ((long)(random.NextDouble() * _p.SharedBytes) & ~7L);
            op = random.NextDouble() < _p.SharedStoreFraction ? Operation.Store(_lastShared, 8) : Operation.Load(_lastShared, 8);
            _random = random;
            return op;
        }

        if (random.Below(_sequential) && _lastPrivate + 8 < _privateEnd)
        {
            _lastPrivate += 8;
        }
        else
        {
            long range = random.Below(_hotShare) ? _hotDataBytes : _workingSetBytes;
            _lastPrivate = DataBase + ((long)(random.NextDouble() * range) & ~7L);
        }

        op = new Operation(random.Below(_storeFraction) ? OperationKind.Store : OperationKind.Load, _lastPrivate, 8);
        _random = random;
        return op;
    }


    public void DeclareState(ref StateIo io)
    {
        var generator = _random.ToSimRandom();
        io.Generator("generator", ref generator);
        if (io.IsLoading)
        {
            _random = StreamRandom.From(generator);
        }

        io.Long("instructions issued", ref _instructions, 0, _p.Instructions);
        io.Long("pc", ref _pc, CodeBase, CodeBase + _p.CodeBytes);
        io.Long("last private address", ref _lastPrivate, DataBase, DataBase + _p.WorkingSetBytes);
        io.Long("last shared address", ref _lastShared, SharedBase, SharedBase + Math.Max(_p.SharedBytes, 8));
        io.Int("data operations due", ref _dataOpsDue, 0, 1 << 20);
        io.Double("memory debt", ref _memoryDebt);
        if (io.IsLoading && !(_memoryDebt >= 0 && _memoryDebt < 1))
        {
            throw new CorruptStateException($"synthetic stream: memory debt {_memoryDebt} outside [0, 1)");
        }

        io.Enum("pending extra", ref _pendingExtra);
    }

    /// <summary>What a basic block issues after its loads and stores.</summary>
    private enum PendingCall
    {
        None = 0,
        Syscall = 1,
        DiskRead = 2,
    }
}
