using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The system calls of a guest process: open (its inode block), stat (a path lookup alone), read (copy out of the buffer cache, sleeping on the
/// disk for the blocks not there), write (into the cache; a synchronous write sleeps until the disk has it) and the
/// short ones; and the second half of a service that slept, when its process runs again.
/// </summary>
internal sealed class SystemCalls
{
    private readonly GuestWorkload _w;
    private readonly BufferCache _cache;
    private readonly KernelPathStack _paths;
    private readonly FaultHandler _faults;
    private readonly KernelCodeWriter _code;

    public SystemCalls(GuestWorkload workload, BufferCache cache, KernelPathStack paths, FaultHandler faults, KernelCodeWriter code)
    {
        _w = workload;
        _cache = cache;
        _paths = paths;
        _faults = faults;
        _code = code;
    }

    /// <summary>A system call of process <paramref name="p"/>.</summary>
    public void OnSyscall(GuestProcess p, in Operation operation, long nowPs)
    {
        var (call, argument) = GuestProgramSource.Decode(operation);
        switch (call)
        {
            case Syscall.Open:
                Open(p, (int)argument, nowPs);
                break;
            case Syscall.Read:
                Read(p, BlockKey.Decode(argument), Math.Max(1, operation.Count), nowPs);
                break;
            case Syscall.Write:
                Write(p, BlockKey.Decode(argument), Math.Max(1, operation.Count), nowPs);
                break;
            case Syscall.Stat:
                // A lookup that opens nothing (most fail: an include directory without the header) reads no inode
                // block and never sleeps: its cost is the name walk, open's first part.
                Straight(KernelCode.Stat, KernelService.Stat, nowPs);
                break;
            default:
                Straight(KernelCode.OtherSyscall, KernelService.OtherSyscall, nowPs);
                break;
        }
    }

    /// <summary>A call that neither reads nor sleeps: entry, its path's body, exit.</summary>
    private void Straight(KernelCode code, KernelService service, long nowPs)
    {
        var b = _code.Entry();
        _code.Body(b, code);
        _code.Exit(b);
        _paths.Push(service, b, nowPs);
    }

    private void Open(GuestProcess p, int file, long nowPs)
    {
        var key = BlockKey.Inode(file);
        var b = _code.Entry();
        _code.Body(b, KernelCode.Open);
        if (_cache.TryGetPage(key, out long inode))
        {
            b.Add(Operation.Load(_code.KernelAddress(inode, 0), 8));
            _code.Exit(b);
        }
        else
        {
            p.Sleep(_cache.StartReads(b, [key]), KernelService.Open, block: key);
        }

        _paths.Push(KernelService.Open, b, nowPs);
    }

    private void Read(GuestProcess p, BlockKey first, int pages, long nowPs)
    {
        var missing = new List<BlockKey>();
        for (int i = 0; i < pages; i++)
        {
            var key = first.Next(i);
            if (!_cache.Contains(key))
            {
                missing.Add(key);
            }
        }

        var b = _code.Entry();
        _code.Body(b, KernelCode.Read);
        if (missing.Count == 0)
        {
            CopyOut(b, p, first, pages);
            _code.Exit(b);
        }
        else
        {
            p.Sleep(_cache.StartReads(b, missing), KernelService.Read, block: first, count: pages);
        }

        _paths.Push(KernelService.Read, b, nowPs);
    }

    private void Write(GuestProcess p, BlockKey first, int pages, long nowPs)
    {
        var b = _code.Entry();
        _code.Body(b, KernelCode.Write);
        var keys = new BlockKey[pages];
        var written = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            var key = first.Next(i);
            long page = _cache.PageForWrite(key);
            _code.Copy(b, UserBufferPage(p, i), page);
            (keys[i], written[i]) = (key, page);
        }

        if (!_w.SyncWrites)
        {
            // Delayed write: the dirty blocks stay in the cache, flushed after the run (bdflush's 30 s).
            _code.Exit(b);
            _paths.Push(KernelService.Write, b, nowPs);
            return;
        }

        // A synchronous write (O_SYNC: a database forcing its pages): the caller sleeps until the disk has them.
        long id = _cache.StartWrite(first, keys, written);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.StartIo, id));
        p.Sleep(id, KernelService.Write);
        _paths.Push(KernelService.Write, b, nowPs);
    }

    /// <summary>The second half of a service that slept: its blocks are cached now.</summary>
    public void Resume(GuestProcess p, long nowPs)
    {
        var service = (KernelService)p.ResumeService;

        // Its reads may complete out of order (a monitor serves cached blocks at once): sleep again on any still out.
        var outstanding = NeededKeys(p, service).Where(_cache.IsInFlight).ToList();
        if (outstanding.Count > 0)
        {
            p.State = GuestProcessState.Blocked;
            p.WaitingFor = outstanding.Max(_cache.RequestOf);
            return;
        }

        p.ResumeService = -1;
        var b = KernelCodeWriter.NewPath();
        switch (service)
        {
            case KernelService.FileFault:
                _faults.ResumeFileFault(b, p, p.ResumeArgument);
                break;
            case KernelService.Read:
                CopyOut(b, p, p.ResumeBlock, p.ResumeCount);
                break;
            default:
                break;
        }

        _code.Exit(b);
        _paths.Push(service, b, nowPs, count: false);
    }

    /// <summary>The buffer-cache blocks a slept service needs when it resumes.</summary>
    private static IEnumerable<BlockKey> NeededKeys(GuestProcess p, KernelService service)
    {
        switch (service)
        {
            case KernelService.FileFault:
                yield return FaultHandler.FileBlockOf(p.Program, p.ResumeArgument);
                break;
            case KernelService.Open:
                yield return p.ResumeBlock;
                break;
            case KernelService.Read:
                for (int i = 0; i < p.ResumeCount; i++)
                {
                    yield return p.ResumeBlock.Next(i);
                }

                break;
            default:
                break;
        }
    }

    private void CopyOut(List<Operation> b, GuestProcess p, BlockKey first, int pages)
    {
        for (int i = 0; i < pages; i++)
        {
            _code.Copy(b, _cache.PageOf(first.Next(i)), UserBufferPage(p, i));
        }
    }

    private static long UserBufferPage(GuestProcess p, int i) =>
        p.TryTranslate((GuestLayout.BufferBase >> GuestLayout.PageShift) + (i % GuestProgramSource.BufferPages), out long page, out _)
            ? page
            : throw new InvalidOperationException($"guest: process {p.Job} does I/O before touching its buffer");
}
