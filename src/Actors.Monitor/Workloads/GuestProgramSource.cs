using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>System calls a guest process makes (the code of a user stream's privileged operation, <see cref="PrivilegedValue"/>).</summary>
public enum Syscall
{
    Open = 1,
    Read = 2,
    Write = 3,
    Other = 4,

    /// <summary>A path lookup that opens nothing (stat, access, readlink, a failed open).</summary>
    Stat = 5,
}

/// <summary>
/// One job of a guest workload as its process runs it: user code and data from a <see cref="SyntheticSource"/>, with
/// the job's system calls spread evenly over its instructions: look up and open each input file (the lookups that
/// find nothing first, as a compiler searching its include path), read it, short calls, then write the output. First it touches its I/O buffer (demand-zero faults), and with
/// <see cref="GuestWorkload.TouchWorkingSet"/> every page of its working set. The stream depends only on (seed, job),
/// never on timing, so bare and Disco runs ask the kernel for the same services.
/// </summary>
public sealed class GuestProgramSource : IOperationSource
{
    public const int BufferPages = 4;

    private readonly GuestWorkload _w;
    private readonly SyntheticSource _user;
    private readonly int[] _inputs;
    private readonly int _perFile;

    // The first call of input file i's group (its lookups, its open, its reads); the last entry ends the groups.
    private readonly long[] _fileStart;
    private readonly int _fileBlocks;
    private readonly long _syscalls;
    private readonly int _job;

    // State (declared in DeclareState).
    private int _touched;
    private int _touchedData;
    private long _nextCall;

    // The instruction count at which system call _markCall is due: computed once per call, not once per operation
    // (a division on the hot path of every guest instruction stream).
    [Transient("a cache of Mark(_nextCall), recomputed whenever _nextCall differs from _markCall")]
    private long _markCall = -1;
    [Transient("see _markCall")]
    private long _mark;

    public GuestProgramSource(GuestWorkload workload, long seed, int job)
    {
        ArgumentNullException.ThrowIfNull(workload);
        _w = workload;
        _job = job;
        _user = new SyntheticSource(workload.Profile with { SyscallsPerMillion = 0, DiskReadsPerMillion = 0 }, seed, job);
        var random = SimRandom.ForComponent(unchecked((long)Digest.Of(seed, 0xF11E5)), new ComponentId(job));
        _inputs = [.. Enumerable.Range(0, workload.FilesPerJob).Select(_ => (int)(random.NextUInt64() % (ulong)workload.DistinctFiles))];
        _fileBlocks = workload.FileKb / 4;
        _perFile = 1 + ((_fileBlocks + workload.CallPages - 1) / workload.CallPages);
        _fileStart = new long[workload.FilesPerJob + 1];
        for (int i = 0; i < workload.FilesPerJob; i++)
        {
            _fileStart[i + 1] = _fileStart[i] + LookupsBefore(workload.LookupsPerOpen, i) + _perFile;
        }

        long others = (long)(workload.Profile.Instructions * workload.OtherSyscallsPerMillion / 1e6);
        long writes = (workload.WriteKb / 4 + workload.CallPages - 1) / workload.CallPages;
        _syscalls = _fileStart[workload.FilesPerJob] + others + writes;
        Others = others;
    }

    public int Job => _job;

    public long Others { get; }

    /// <summary>Every system call the job makes, in order (for tests: the guest must see exactly these).</summary>
    public long SyscallCount => _syscalls;

    public bool TryNext(out Operation operation)
    {
        if (_touched < BufferPages)
        {
            operation = Operation.Store(GuestLayout.BufferBase + ((long)_touched++ << GuestLayout.PageShift), 8);
            return true;
        }

        if (_w.TouchWorkingSet && _touchedData < _w.WorkingSetPages)
        {
            operation = Operation.Store(GuestLayout.DataBase + ((long)_touchedData++ << GuestLayout.PageShift), 8);
            return true;
        }

        if (_nextCall < _syscalls && _user.InstructionsIssued >= NextMark())
        {
            operation = SyscallAt(_nextCall++);
            return true;
        }

        if (_user.TryNext(out operation))
        {
            return true;
        }

        if (_nextCall < _syscalls)
        {
            operation = SyscallAt(_nextCall++);
            return true;
        }

        return false;
    }

    private long NextMark()
    {
        if (_markCall != _nextCall)
        {
            _mark = Mark(_nextCall);
            _markCall = _nextCall;
        }

        return _mark;
    }

    private long Mark(long k) => (long)((k + 1) * (double)_w.Profile.Instructions / (_syscalls + 1));

    /// <summary>
    /// Lookups before input file <paramref name="i"/>'s open: a fractional rate spread evenly, file i taking
    /// floor((i+1)r) - floor(ir), so a job with n files makes floor(nr).
    /// </summary>
    public static long LookupsBefore(double perOpen, int i) => (long)Math.Floor((i + 1) * perOpen) - (long)Math.Floor(i * perOpen);

    private Operation SyscallAt(long k)
    {
        long files = _fileStart[_w.FilesPerJob];
        if (k < files)
        {
            int f = Array.BinarySearch(_fileStart, k);
            f = f >= 0 ? f : ~f - 1;
            int file = _inputs[f];
            long lookups = _fileStart[f + 1] - _fileStart[f] - _perFile;
            long j = k - _fileStart[f] - lookups;
            if (j < 0)
            {
                return Call(Syscall.Stat, file, 0);
            }

            if (j == 0)
            {
                return Call(Syscall.Open, file, 0);
            }

            int block = (int)(j - 1) * _w.CallPages;
            return Call(Syscall.Read, new BlockKey(file, block), Math.Min(_w.CallPages, _fileBlocks - block));
        }

        long w = k - files - Others;
        if (w < 0)
        {
            return Call(Syscall.Other, 0, 0);
        }

        int outBlock = (int)(w * _w.CallPages);
        int pages = Math.Min(_w.CallPages, (_w.WriteKb / 4) - outBlock);
        int target = _w.WriteInPlace ? _inputs[0] : GuestFiles.Output(_job);
        return Call(Syscall.Write, new BlockKey(target, outBlock), pages);
    }

    public static Operation Call(Syscall call, long argument, int pages) => new(OperationKind.Privileged, new PrivilegedValue((int)call, argument).Encode(), pages);

    /// <summary>A read or write of <paramref name="pages"/> blocks from <paramref name="first"/> on.</summary>
    public static Operation Call(Syscall call, BlockKey first, int pages) => Call(call, first.Encode(), pages);

    public static (Syscall Call, long Argument) Decode(in Operation op)
    {
        var value = PrivilegedValue.Decode(op.Value);
        return ((Syscall)value.Code, value.Argument);
    }

    public void DeclareState(ref StateIo io)
    {
        io.Int("buffer pages touched", ref _touched, 0, BufferPages);
        io.Int("working-set pages touched", ref _touchedData, 0, _w.WorkingSetPages);
        io.Long("next system call", ref _nextCall, 0, _syscalls);
        io.Part(_user);
    }
}
