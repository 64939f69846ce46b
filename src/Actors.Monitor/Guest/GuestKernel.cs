using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>What a guest-physical page holds (the footprint split of the memory experiment).</summary>
public enum GuestPageKind
{
    KernelText = 0,
    KernelData = 1,
    BufferCache = 2,

    /// <summary>Process memory and page tables.</summary>
    Process = 3,
}

/// <summary>
/// A disk transfer the guest started: the buffer-cache blocks it fills (a read) or writes out (<paramref name="Write"/>)
/// and the guest-physical pages they are in.
/// </summary>
public sealed record GuestIo(long Id, int Disk, long Sector, long[] Keys, long[] GuestPages, bool Write = false);

/// <summary>
/// The IRIX-like guest kernel of one uniprocessor virtual machine (or of the bare machine): processes with page
/// tables, demand-zero and file-backed faults, the TLB refill handlers, open/read/write/execve/fork/exit over a
/// buffer cache and a disk, a round-robin scheduler and an idle loop. It is a pure model: the supervisor that hosts
/// it (bare hardware or a Disco VCPU) calls it on traps and runs the <see cref="KernelPath"/>s it pushes; the
/// privileged instructions in those paths are executed natively or emulated by that supervisor.
///
/// The two differences Disco needs from a commodity kernel [D 4.3] are construction flags, nothing else:
/// <see cref="Relocated"/> (the kernel reaches memory through a mapped segment instead of KSEG0, so its references
/// take TLB misses) and <see cref="MonitorZeroes"/> (it asks the monitor for zeroed pages).
/// </summary>
public sealed class GuestKernel
{
    private const long SectorsPerBlock = GuestLayout.PageBytes / 512;
    private const long InodeBlock = GuestFiles.MaxBlocks;

    private readonly GuestParams _p;
    private readonly KernelCodeWriter _code;
    private readonly GuestWorkload _w;
    private readonly long _seed;
    private readonly int _disks;
    private readonly long _diskBlocks;
    private readonly GuestProcess?[] _slots = new GuestProcess?[GuestLayout.MaxProcesses + 1];
    private readonly bool _remoteData;
    private readonly int _instance;
    private readonly int _instances;

    // State (checkpointed, in this order).
    private readonly List<ExecutionStream> _paths = [];
    private int _current;
    private long _sliceEndPs;
    private long _watermark;
    private long _limit;
    private long _sharedPages;
    private readonly List<long> _free = [];
    private readonly SortedDictionary<long, long> _bufferCache = [];
    private readonly SortedDictionary<long, long> _inFlight = [];
    private readonly SortedDictionary<long, GuestIo> _requests = [];
    private readonly SortedDictionary<long, long> _loaded = [];
    private readonly HashSet<long> _bufferPages = [];
    private readonly SortedDictionary<long, long[]> _nfsReplies = [];
    private long _nextNfs;
    private long _nextRequest;
    private int _jobsStarted;
    private int _jobsDone;
    private bool _booted;
    private readonly long[] _serviceCount = new long[KernelServices.Count];
    private readonly long[] _serviceTimePs = new long[KernelServices.Count];
    private long _diskReads;
    private long _diskWrites;
    private long _peakPages;
    private long _regionBase = -1;
    private readonly SortedSet<long> _unzeroed = [];
    private readonly SortedDictionary<long, long> _libraryText = [];

    /// <param name="remoteData">An NFS client: the workload's data files are on the server, so they are not in its cache at boot.</param>
    /// <param name="instance">SMP guests: this processor's part of the kernel (0 to <paramref name="instances"/> - 1).</param>
    /// <param name="instances">SMP guests: processors the kernel runs on. Each part runs its own processes (its
    /// share of the jobs) and allocates from its own slice of free memory; all parts share the kernel's text and
    /// data (the same pages, so the processors' caches contend for them), the files cached at boot, and the memlock.</param>
    public GuestKernel(GuestParams parameters, GuestWorkload workload, long seed, int disks, long diskSectors, bool relocated, bool monitorZeroes, bool remoteData = false, int instance = 0, int instances = 1)
    {
        _remoteData = remoteData;
        _instance = instance;
        _instances = instances;
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(workload);
        if (disks < 1)
        {
            throw new BadInputException("disco.machine.disk.count", "the guest OS needs at least one disk");
        }

        _p = parameters;
        _w = workload;
        _seed = seed;
        _disks = disks;
        _diskBlocks = diskSectors / SectorsPerBlock;
        if (_diskBlocks < 2 * GuestFiles.MaxBlocks)
        {
            throw new BadInputException("disco.machine.disk.cylinders", $"the disk holds {_diskBlocks} blocks; the guest's file layout needs at least {2 * GuestFiles.MaxBlocks}");
        }

        Relocated = relocated;
        MonitorZeroes = monitorZeroes;
        _code = new KernelCodeWriter(parameters, relocated, monitorZeroes);
        _watermark = parameters.KernelPages;
        _limit = parameters.MemoryPages;
    }

    public GuestParams Parameters => _p;

    /// <summary>The kernel reaches memory through the mapped segment (under Disco) instead of KSEG0.</summary>
    public bool Relocated { get; }

    /// <summary>The kernel asks the monitor for zeroed pages instead of zeroing them itself.</summary>
    public bool MonitorZeroes { get; }

    /// <summary>A SPLASHOS-like library OS (<see cref="GuestParams.LibraryOs"/>): the monitor handles its page faults.</summary>
    public bool LibraryOs => _p.LibraryOs;

    /// <summary>Every job has exited: nothing will ever run again.</summary>
    public bool Finished => _jobsDone == _w.Jobs;

    /// <summary>A kernel path runs (privileged operations are the kernel's; a TLB miss is the kernel's own).</summary>
    public bool InKernel => _paths.Count > 0;

    /// <summary>What runs: the innermost kernel path, else the current process, else nothing (the idle loop).</summary>
    public ExecutionStream? Current =>
        _paths.Count > 0 ? _paths[^1] : _current > 0 && _slots[_current] is { State: GuestProcessState.Runnable, Started: true } p ? p.Stream : null;

    /// <summary>The kernel paths under way, innermost last.</summary>
    public IEnumerable<KernelPath> PathStack => _paths.Select(s => (KernelPath)s.Source);

    public GuestProcess? CurrentProcess => _current > 0 ? _slots[_current] : null;

    public IEnumerable<GuestProcess> Processes => _slots.OfType<GuestProcess>();

    public long ServiceCount(KernelService s) => _serviceCount[(int)s];

    public long ServiceTimePs(KernelService s) => _serviceTimePs[(int)s];

    /// <summary>Guest-physical pages in use (kernel, buffer cache, processes, page tables).</summary>
    public long PagesInUse => _instances == 1 ? _watermark - _free.Count : (_instance == 0 ? _sharedPages : 0) + (_watermark - (_limit - SliceSize) - _free.Count);

    /// <summary>An SMP part's slice of the memory left after the kernel and the files cached at boot.</summary>
    public long SliceSize => (_p.MemoryPages - _sharedPages) / _instances;

    /// <summary>Guest pages every SMP part shares (kernel, files cached at boot), from page 0; the slices follow. Known after boot.</summary>
    public long SharedPages => _sharedPages;

    public int Instances => _instances;

    /// <summary>True for an SMP guest's parts: their VM-structure operations take the memlock.</summary>
    public bool Smp => _instances > 1;

    public long DiskReads => _diskReads;

    public long DiskWrites => _diskWrites;

    /// <summary>The most guest-physical pages in use at once (this part's, for an SMP guest).</summary>
    public long PeakPagesInUse => Math.Max(_peakPages, PagesInUse);

    public int JobsDone => _jobsDone;

    /// <summary>Starts the first jobs; with a warm cache, the files they use are in the buffer cache already.</summary>
    public void Boot(long nowPs)
    {
        if (_booted)
        {
            return;
        }

        _booted = true;
        if (_w.WarmCache && !LibraryOs)
        {
            long textBlocks = TextBytes >> GuestLayout.PageShift;
            for (int prog = 0; prog < _w.Programs; prog++)
            {
                Warm(GuestFiles.Program(prog), textBlocks);
            }

            if (!AnonymousRegion)
            {
                Warm(GuestFiles.SharedFile, _w.Profile.SharedBytes >> GuestLayout.PageShift);
            }
            for (int f = 0; f < _w.DistinctFiles && _w.FilesPerJob > 0 && !_remoteData; f++)
            {
                Warm(f, _w.FileKb / 4);
            }
        }

        if (AnonymousRegion)
        {
            // The program's shared data (radix's key arrays), initialized before the measured part: the same pages
            // in every SMP part, after the kernel and the files.
            _regionBase = _watermark;
            for (long i = 0; i < RegionPages; i++)
            {
                AllocatePage();
            }
        }

        // Everything so far (kernel, files cached at boot, a shared region) is laid out the same by every SMP part: it is shared.
        _sharedPages = _watermark;
        if (_instances > 1)
        {
            _watermark = _sharedPages + (_instance * SliceSize);
            _limit = _watermark + SliceSize;
        }

        while (_jobsStarted < _w.Parallelism)
        {
            StartJob();
        }

        Reschedule(nowPs);
    }

    /// <summary>
    /// The workload's shared region is anonymous memory the threads of one program write (radix's key arrays), not a
    /// file mapped read-only: with <see cref="GuestWorkload.SharedAddressSpace"/> and a shared region.
    /// </summary>
    private bool AnonymousRegion => _w.SharedAddressSpace && _w.Profile.SharedBytes > 0;

    private long RegionPages => (_w.Profile.SharedBytes + GuestLayout.PageBytes - 1) >> GuestLayout.PageShift;

    private bool InRegion(long guestPage) => _regionBase >= 0 && guestPage >= _regionBase && guestPage < _regionBase + RegionPages;

    /// <summary>A program's text: its code plus the longest basic block, which may run past the end of the code.</summary>
    private long TextBytes => _w.Profile.CodeBytes + (4096 * 4);

    private void Warm(int file, long blocks)
    {
        for (long b = -1; b < blocks; b++)
        {
            long key = Key(file, b < 0 ? InodeBlock : b);
            if (!_bufferCache.ContainsKey(key))
            {
                long page = AllocatePage();
                _bufferCache[key] = page;
                _bufferPages.Add(page);
                _loaded[page] = key;
            }
        }
    }

    /// <summary>Counter names of <see cref="GuestPageKind"/>, in order.</summary>
    public static readonly string[] FootprintKinds = ["kernel_text", "kernel_data", "buffer_cache", "process"];

    /// <summary>Pages in use by kind (<see cref="GuestPageKind"/> order).</summary>
    public long[] Footprint()
    {
        if (_instances > 1 && _instance > 0)
        {
            // The kernel and the files cached at boot are SMP part 0's to count: they are the same pages.
            long own = _bufferPages.Count - _loaded.Count;
            return [0, 0, own, PagesInUse - own];
        }

        long text = _p.KernelTextPages, data = _p.KernelDataPages, buffers = _bufferPages.Count;
        return [text, data, buffers, PagesInUse - text - data - buffers];
    }

    /// <summary>What a guest page holds now (for the footprint split; the monitor itself never needs to know).</summary>
    public GuestPageKind KindOf(long guestPage)
    {
        if (guestPage < _p.KernelTextPages)
        {
            return GuestPageKind.KernelText;
        }

        if (guestPage < _p.KernelPages)
        {
            return GuestPageKind.KernelData;
        }

        return _bufferPages.Contains(guestPage) ? GuestPageKind.BufferCache : GuestPageKind.Process;
    }

    /// <summary>
    /// The disk block a guest page was loaded from before the run (its kernel text, the files in its cache at boot),
    /// or null: a monitor backs such a page from its disk cache. Sectors are on the guest's disk.
    /// </summary>
    public (int Disk, long Sector)? LoadedFrom(long guestPage)
    {
        if (guestPage >= 0 && guestPage < _p.KernelTextPages)
        {
            return (GuestFiles.RootDisk, BlockSector(GuestFiles.Kernel, guestPage));
        }

        return _loaded.TryGetValue(guestPage, out long key) || _libraryText.TryGetValue(guestPage, out key)
            ? (GuestFiles.DiskOf((int)(key >> 20), _disks), BlockSector((int)(key >> 20), key & 0xFFFFF))
            : null;
    }

    private long BlockSector(int file, long block) => (FileStartBlock(file) + block) * SectorsPerBlock;

    private void StartJob()
    {
        int slot = Array.FindIndex(_slots, 1, s => s is null);
        if (slot < 0)
        {
            throw new InvalidOperationException("guest: no free process slot");
        }

        int job = _jobsStarted++;
        var p = new GuestProcess(slot, job, job % _w.Programs, new GuestProgramSource(_w, _seed, job));
        _slots[slot] = p;
        if (AnonymousRegion)
        {
            // The threads attach the program's shared region at start (past radix's initialization barrier): mapped,
            // so their first use of a page is a TLB refill, not a fault. The library OS has no page tables to fill.
            long firstVpn = GuestLayout.SharedBase >> GuestLayout.PageShift;
            for (long i = 0; i < RegionPages; i++)
            {
                p.Map(firstVpn + i, _regionBase + i, writable: true);
                if (!LibraryOs)
                {
                    EnsureTablePage(p, firstVpn + i);
                }
            }
        }
    }

    // ---- Traps -------------------------------------------------------------------------------------------

    /// <summary>At each quantum: the time slice.</summary>
    public void OnQuantum(long nowPs)
    {
        if (_paths.Count == 0 && _current > 0 && nowPs >= _sliceEndPs)
        {
            int next = NextRunnable();
            if (next > 0 && next != _current)
            {
                PushSwitch(next, nowPs);
            }
            else
            {
                _sliceEndPs = nowPs + _p.TimeSlicePs;
            }
        }
    }

    /// <summary>A TLB miss the guest must handle (on bare hardware every one; under Disco those the monitor could not).</summary>
    public void OnTlbMiss(long virtualAddress, bool readOnly, long nowPs)
    {
        if (readOnly)
        {
            throw new InvalidOperationException($"guest: store to read-only page 0x{virtualAddress:x} (the guest maps only text and mapped files read-only, and never writes them)");
        }

        long vpn = virtualAddress >> GuestLayout.PageShift;
        if (_paths.Count > 0)
        {
            if (!GuestLayout.IsPageTable(virtualAddress))
            {
                throw new InvalidOperationException($"guest: kernel TLB miss at 0x{virtualAddress:x} outside the page-table segment");
            }

            // The page-table load of a refill missed: the refill becomes a slow one, and the nested kernel refill is part of it.
            var top = (KernelPath)_paths[^1].Source;
            if (top.Service == KernelService.FastTlbRefill)
            {
                top.Service = KernelService.SlowTlbRefill;
                _serviceCount[(int)KernelService.FastTlbRefill]--;
                _serviceCount[(int)KernelService.SlowTlbRefill]++;
            }

            var b = KernelCodeWriter.NewPath();
            _code.Code(b, KernelCode.KtlbRefill);
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, GuestPrivilegedOps.TlbArgument(GuestLayout.KernelAsid, vpn)));
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Exit));
            Push(KernelService.SlowTlbRefill, b, nowPs, count: top.Service != KernelService.SlowTlbRefill);
            return;
        }

        var p = CurrentProcess ?? throw new InvalidOperationException("guest: TLB miss with no process running");
        if (LibraryOs)
        {
            throw new InvalidOperationException($"library OS: a TLB miss at 0x{virtualAddress:x} reached the guest (the monitor handles them)");
        }

        if (p.TryTranslate(vpn, out _, out _))
        {
            var b = KernelCodeWriter.NewPath();
            _code.Code(b, KernelCode.UtlbRefill);
            b.Add(Operation.Load(GuestLayout.PteAddress(p.Asid, vpn), 8));
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, GuestPrivilegedOps.TlbArgument(p.Asid, vpn)));
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Exit));
            Push(KernelService.FastTlbRefill, b, nowPs);
            return;
        }

        if (virtualAddress >= GuestLayout.DataBase && virtualAddress < GuestLayout.SharedBase)
        {
            DemandZero(p, vpn, nowPs);
        }
        else if (virtualAddress >= GuestLayout.TextBase && virtualAddress < GuestLayout.TextBase + TextBytes)
        {
            FileFault(p, vpn, GuestFiles.Program(p.Program), vpn - (GuestLayout.TextBase >> GuestLayout.PageShift), nowPs);
        }
        else if (virtualAddress >= GuestLayout.SharedBase && virtualAddress < GuestLayout.SharedBase + _w.Profile.SharedBytes)
        {
            FileFault(p, vpn, GuestFiles.SharedFile, vpn - (GuestLayout.SharedBase >> GuestLayout.PageShift), nowPs);
        }
        else
        {
            throw new InvalidOperationException($"guest: process {p.Job} touched 0x{virtualAddress:x}, outside its regions");
        }
    }

    /// <summary>A system call of the current process.</summary>
    public void OnSyscall(in Operation operation, long nowPs)
    {
        var p = CurrentProcess ?? throw new InvalidOperationException("guest: system call with no process running");
        var (call, argument) = GuestProgramSource.Decode(operation);
        switch (call)
        {
            case Syscall.Open:
                Open(p, (int)argument, nowPs);
                break;
            case Syscall.Read:
                Read(p, (int)(argument >> 20), argument & 0xFFFFF, Math.Max(1, operation.Count), nowPs);
                break;
            case Syscall.Write:
                Write(p, (int)(argument >> 20), argument & 0xFFFFF, Math.Max(1, operation.Count), nowPs);
                break;
            default:
            {
                var b = _code.Entry();
                _code.Body(b, KernelCode.OtherSyscall);
                _code.Exit(b);
                Push(KernelService.OtherSyscall, b, nowPs);
                break;
            }
        }
    }

    /// <summary>The current process's stream has ended: it exits.</summary>
    public void OnProcessEnd(long nowPs)
    {
        var p = CurrentProcess ?? throw new InvalidOperationException("guest: stream end with no process running");
        p.State = GuestProcessState.Exited;
        var b = _code.Entry();
        _code.Body(b, KernelCode.Exit);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbFlushAsid, p.Asid));
        _code.Exit(b);
        Push(KernelService.Exit, b, nowPs, completion: PathCompletion.Exit, argument: p.Asid);
    }

    /// <summary>
    /// The innermost kernel path has run to its end. Returns the lock it still held (<see cref="KernelLocks"/>; the
    /// caller releases it), or -1.
    /// </summary>
    public int OnPathEnd(long nowPs)
    {
        var stream = _paths[^1];
        _paths.RemoveAt(_paths.Count - 1);
        var path = (KernelPath)stream.Source;
        long duration = nowPs - path.StartPs;
        _serviceTimePs[(int)path.Service] += Math.Max(0, duration - path.NestedPs);
        if (_paths.Count > 0)
        {
            ((KernelPath)_paths[^1].Source).NestedPs += duration;
        }

        switch (path.Completion)
        {
            case PathCompletion.SwitchTo:
                _current = (int)path.Argument;
                _sliceEndPs = nowPs + _p.TimeSlicePs;
                var next = _slots[_current]!;
                if (!next.Started)
                {
                    StartProcess(next, nowPs);
                }
                else if (next.ResumeService >= 0)
                {
                    Resume(next, nowPs);
                }

                break;
            case PathCompletion.Exit:
            {
                int slot = (int)path.Argument;
                var gone = _slots[slot]!;
                foreach (long page in gone.PrivatePages().Where(g => !InRegion(g)).Concat(gone.TablePages.Order()))
                {
                    _free.Add(page);
                }

                _slots[slot] = null;
                if (_current == slot)
                {
                    _current = 0;
                }

                _jobsDone++;
                if (_jobsStarted < _w.Jobs)
                {
                    StartJob();
                }

                break;
            }

            default:
                break;
        }

        if (_paths.Count == 0 && (_current == 0 || _slots[_current] is not { State: GuestProcessState.Runnable }))
        {
            Reschedule(nowPs);
        }

        return path.Lock == LockState.Held ? path.LockId : -1;
    }

    // ---- Locks (SMP guests; the supervisor carries the requests to the lock component) ----------------------

    /// <summary>The path about to run needs a lock it has not asked for: it asks now. Returns it, or null.</summary>
    public KernelPath? RequestLock()
    {
        if (Current?.Source is not KernelPath { Lock: LockState.Needed } path)
        {
            return null;
        }

        path.Lock = LockState.Requested;
        return path;
    }

    /// <summary>
    /// A lock was granted: to the innermost path that asked (an interrupt taken while waiting may have pushed its
    /// own path on top of it). Returns that path.
    /// </summary>
    public KernelPath GrantLock()
    {
        var path = PathStack.LastOrDefault(p => p.Lock == LockState.Requested) ?? throw new InvalidOperationException("guest: a lock granted to no path");
        path.Lock = LockState.Held;
        return path;
    }

    /// <summary>An unlock: the innermost path that holds a lock gives it up (the rest of it runs outside). Returns it, or null.</summary>
    public KernelPath? ReleaseLock()
    {
        var path = PathStack.LastOrDefault(p => p.Lock == LockState.Held);
        if (path is not null)
        {
            path.Lock = LockState.None;
        }

        return path;
    }

    /// <summary>
    /// The path waiting for a lock waits for the region semaphore: its thread sleeps (the processor, with nothing
    /// else to run, idles) where a memlock waiter spins.
    /// </summary>
    public bool WaitsOnSemaphore => PathStack.LastOrDefault(p => p.Lock == LockState.Requested)?.LockId == KernelLocks.RegionSemaphore;

    /// <summary>A disk transfer completed: a read's blocks enter the buffer cache; its sleepers wake.</summary>
    public void OnDiskComplete(long requestId, long nowPs)
    {
        if (!_requests.Remove(requestId, out var io))
        {
            throw new InvalidOperationException($"guest: completion of unknown disk request {requestId}");
        }

        for (int i = 0; i < io.Keys.Length && !io.Write; i++)
        {
            _bufferCache[io.Keys[i]] = io.GuestPages[i];
            _bufferPages.Add(io.GuestPages[i]);
            _inFlight.Remove(io.Keys[i]);
        }

        foreach (var p in Processes)
        {
            if (p.State == GuestProcessState.Blocked && p.WaitingFor == requestId)
            {
                p.State = GuestProcessState.Runnable;
                p.WaitingFor = -1;
            }
        }

        var b = _code.Entry();
        _code.Body(b, KernelCode.Interrupt);
        _code.Exit(b);
        Push(KernelService.Interrupt, b, nowPs);
    }

    /// <summary>
    /// An NFS server: a read request arrived from the virtual network. The nfsd path looks the blocks up in the
    /// buffer cache (the server holds the files there) and sends the reply; returns the reply's handle.
    /// </summary>
    public long OnNfsRequest(long[] keys, long nowPs)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var pages = new long[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            if (!_bufferCache.TryGetValue(keys[i], out pages[i]))
            {
                throw new InvalidOperationException($"NFS server: block {keys[i] & 0xFFFFF} of file {keys[i] >> 20} is not in its cache (the server serves from a warm cache)");
            }
        }

        long handle = _nextNfs++;
        _nfsReplies[handle] = pages;
        var b = _code.Entry();
        _code.Body(b, KernelCode.NfsServe);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.NetSend, handle));
        _code.Exit(b);
        Push(KernelService.NfsServe, b, nowPs);
        return handle;
    }

    /// <summary>The guest pages of NFS reply <paramref name="handle"/>; <paramref name="sent"/> forgets it.</summary>
    public long[] NfsReplyPages(long handle, bool sent)
    {
        var pages = _nfsReplies.TryGetValue(handle, out var p) ? p : throw new InvalidOperationException($"guest: NetSend of unknown reply {handle}");
        if (sent)
        {
            _nfsReplies.Remove(handle);
        }

        return pages;
    }

    /// <summary>The disk read a StartIo operation names.</summary>
    public GuestIo Io(long requestId) =>
        _requests.TryGetValue(requestId, out var io) ? io : throw new InvalidOperationException($"guest: StartIo of unknown request {requestId}");

    /// <summary>
    /// The TLB entry the guest's tables give for (ASID, virtual page): an even/odd pair of guest-physical pages (-1:
    /// invalid). ASID 0 covers the page-table segment and, under the monitor, the relocated kernel segment.
    /// </summary>
    public (long VirtualPair, long EvenPage, bool EvenWritable, long OddPage, bool OddWritable) TlbEntryFor(int asid, long vpn)
    {
        long even = vpn & ~1L;
        var e = Translate(asid, even);
        var o = Translate(asid, even + 1);
        return (vpn >> 1, e.Page, e.Writable, o.Page, o.Writable);
    }

    private (long Page, bool Writable) Translate(int asid, long vpn)
    {
        long va = vpn << GuestLayout.PageShift;
        if (asid == GuestLayout.KernelAsid)
        {
            if (GuestLayout.IsPageTable(va))
            {
                var (slot, tablePage) = GuestLayout.PageTablePage(vpn);
                long page = slot is > 0 and <= GuestLayout.MaxProcesses && _slots[slot] is { } q ? q.TablePage(tablePage) : -1;
                return (page, true);
            }

            if (Relocated && GuestLayout.IsMappedKernel(va))
            {
                long page = (va - GuestLayout.MappedKernelBase) >> GuestLayout.PageShift;
                return page < _p.MemoryPages ? (page, true) : (-1, false);
            }

            return (-1, false);
        }

        return _slots[asid] is { } p && p.TryTranslate(vpn, out long g, out bool w) ? (g, w) : (-1, false);
    }

    /// <summary>
    /// A library OS: the monitor took a fault on a user page its thread has not touched yet. The library OS has no
    /// page tables; the page comes from its free memory, mapped at once: a text page read-only, backed by its block
    /// of the program file (<see cref="LoadedFrom"/>), any other page writable, to be zeroed by the monitor
    /// (<see cref="TakeUnzeroed"/>). Returns the guest-physical page.
    /// </summary>
    public long LibraryFault(int asid, long vpn)
    {
        if (!LibraryOs)
        {
            throw new InvalidOperationException("guest: only a library OS leaves its page faults to the monitor");
        }

        var p = _slots[asid] is { } q && asid != GuestLayout.KernelAsid ? q : throw new InvalidOperationException($"library OS: a fault for unknown thread {asid}");
        long va = vpn << GuestLayout.PageShift;
        if (!GuestLayout.IsUser(va))
        {
            throw new InvalidOperationException($"library OS: thread {p.Job} touched 0x{va:x}, outside user space");
        }

        if (p.TryTranslate(vpn, out long mapped, out _))
        {
            return mapped;
        }

        long page = AllocatePage();
        long textVpn = GuestLayout.TextBase >> GuestLayout.PageShift;
        if (va >= GuestLayout.TextBase && va < GuestLayout.TextBase + TextBytes)
        {
            // The program's text: its block of the program file, which the monitor maps from its disk cache (the
            // library OS loaded the program at boot), shared by every thread and VM that runs it. Not zeroed.
            p.Map(vpn, page, writable: false);
            _libraryText[page] = Key(GuestFiles.Program(p.Program), vpn - textVpn);
            _serviceCount[(int)KernelService.FileFault]++;
            return page;
        }

        p.Map(vpn, page, writable: true);
        _unzeroed.Add(page);
        _serviceCount[(int)KernelService.DemandZero]++;
        return page;
    }

    /// <summary>True once for each page a library-OS fault gave out: the monitor zeroes it before the thread runs on.</summary>
    public bool TakeUnzeroed(long guestPage) => _unzeroed.Remove(guestPage);

    // ---- Services ----------------------------------------------------------------------------------------

    private void DemandZero(GuestProcess p, long vpn, long nowPs)
    {
        long page = AllocatePage();
        p.Map(vpn, page, writable: true);
        var b = _code.Entry();
        _code.Body(b, KernelCode.DemandZero);
        if (Smp && _w.SharedAddressSpace)
        {
            // A fault on the region the program's threads share: the region's semaphore is held throughout.
            _code.Zero(b, page);
            MapPte(b, p, vpn);
            _code.Exit(b);
            Push(KernelService.DemandZero, b, nowPs, lockId: KernelLocks.RegionSemaphore);
            return;
        }

        if (Smp)
        {
            // The page tables under the memlock, the zeroing outside it.
            MapPte(b, p, vpn);
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Unlock));
            _code.Zero(b, page);
        }
        else
        {
            _code.Zero(b, page);
            MapPte(b, p, vpn);
        }

        _code.Exit(b);
        Push(KernelService.DemandZero, b, nowPs);
    }

    private void FileFault(GuestProcess p, long vpn, int file, long block, long nowPs)
    {
        long key = Key(file, block);
        var b = _code.Entry();
        _code.Body(b, KernelCode.FileFault);
        if (_bufferCache.TryGetValue(key, out long page))
        {
            p.Map(vpn, page, writable: false);
            MapPte(b, p, vpn);
            _code.Exit(b);
            Push(KernelService.FileFault, b, nowPs);
            return;
        }

        Sleep(b, p, [key], KernelService.FileFault, vpn, 0);
        Push(KernelService.FileFault, b, nowPs);
    }

    private void Open(GuestProcess p, int file, long nowPs)
    {
        long key = Key(file, InodeBlock);
        var b = _code.Entry();
        _code.Body(b, KernelCode.Open);
        if (_bufferCache.TryGetValue(key, out long inode))
        {
            b.Add(Operation.Load(KernelAddress(inode, 0), 8));
            _code.Exit(b);
        }
        else
        {
            Sleep(b, p, [key], KernelService.Open, file, 0);
        }

        Push(KernelService.Open, b, nowPs);
    }

    private void Read(GuestProcess p, int file, long block, int pages, long nowPs)
    {
        var missing = new List<long>();
        for (int i = 0; i < pages; i++)
        {
            long key = Key(file, block + i);
            if (!_bufferCache.ContainsKey(key))
            {
                missing.Add(key);
            }
        }

        var b = _code.Entry();
        _code.Body(b, KernelCode.Read);
        long argument = ((long)file << 20) | block;
        if (missing.Count == 0)
        {
            CopyOut(b, p, file, block, pages);
            _code.Exit(b);
        }
        else
        {
            Sleep(b, p, missing, KernelService.Read, argument, pages);
        }

        Push(KernelService.Read, b, nowPs);
    }

    private void Write(GuestProcess p, int file, long block, int pages, long nowPs)
    {
        var b = _code.Entry();
        _code.Body(b, KernelCode.Write);
        var keys = new long[pages];
        var written = new long[pages];
        for (int i = 0; i < pages; i++)
        {
            // Whole-page writes need no read first.
            long key = Key(file, block + i);
            if (!_bufferCache.TryGetValue(key, out long page))
            {
                page = AllocatePage();
                _bufferCache[key] = page;
                _bufferPages.Add(page);
            }

            _code.Copy(b, UserBufferPage(p, i), page);
            (keys[i], written[i]) = (key, page);
        }

        if (!_w.SyncWrites)
        {
            // Delayed write: the dirty blocks stay in the cache, flushed after the run (bdflush's 30 s).
            _code.Exit(b);
            Push(KernelService.Write, b, nowPs);
            return;
        }

        // A synchronous write (O_SYNC: a database forcing its pages): the caller sleeps until the disk has them.
        long id = _nextRequest++;
        _requests[id] = new GuestIo(id, GuestFiles.DiskOf(file, _disks), BlockSector(file, block), keys, written, Write: true);
        _diskWrites++;
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.StartIo, id));
        p.Sleep(id, KernelService.Write, argument: 0, count: 0);
        Push(KernelService.Write, b, nowPs);
    }

    /// <summary>Starts the reads a service needs (or joins reads under way) and puts the process to sleep until they end.</summary>
    private void Sleep(List<Operation> b, GuestProcess p, List<long> keys, KernelService service, long argument, int count)
    {
        // One request per run of consecutive blocks: a request reads consecutive sectors.
        var fresh = keys.Where(k => !_inFlight.ContainsKey(k)).ToList();
        for (int start = 0; start < fresh.Count;)
        {
            int end = start + 1;
            while (end < fresh.Count && fresh[end] == fresh[end - 1] + 1)
            {
                end++;
            }

            long id = _nextRequest++;
            var run = fresh.GetRange(start, end - start);
            var (file, block) = ((int)(run[0] >> 20), run[0] & 0xFFFFF);
            var io = new GuestIo(id, GuestFiles.DiskOf(file, _disks), BlockSector(file, block), [.. run], [.. run.Select(_ => AllocatePage())]);
            _requests[id] = io;
            foreach (long k in run)
            {
                _inFlight[k] = id;
            }

            _diskReads++;
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.StartIo, id));
            start = end;
        }

        // Sleeping on the last request covers the others: a disk serves its queue in order, and all the blocks of
        // one service come from the same file, so from the same disk.
        if (keys.Any(k => !_inFlight.ContainsKey(k)))
        {
            throw new InvalidOperationException("guest: a block to sleep on is neither cached nor being read");
        }

        p.Sleep(keys.Select(k => _inFlight[k]).Max(), service, argument, count);
    }

    /// <summary>The second half of a service that slept: its blocks are cached now.</summary>
    private void Resume(GuestProcess p, long nowPs)
    {
        var service = (KernelService)p.ResumeService;
        long argument = p.ResumeArgument;
        int count = p.ResumeCount;

        // Its reads may complete out of order (a monitor serves cached blocks at once): sleep again on any still out.
        var outstanding = NeededKeys(p.Program, service, argument, count).Where(_inFlight.ContainsKey).ToList();
        if (outstanding.Count > 0)
        {
            p.State = GuestProcessState.Blocked;
            p.WaitingFor = outstanding.Max(k => _inFlight[k]);
            return;
        }

        p.ResumeService = -1;
        var b = KernelCodeWriter.NewPath();
        switch (service)
        {
            case KernelService.FileFault:
            {
                long vpn = argument;
                long va = vpn << GuestLayout.PageShift;
                var (file, block) = va >= GuestLayout.SharedBase
                    ? (GuestFiles.SharedFile, vpn - (GuestLayout.SharedBase >> GuestLayout.PageShift))
                    : (GuestFiles.Program(p.Program), vpn - (GuestLayout.TextBase >> GuestLayout.PageShift));
                p.Map(vpn, _bufferCache[Key(file, block)], writable: false);
                MapPte(b, p, vpn);
                break;
            }

            case KernelService.Read:
                CopyOut(b, p, (int)(argument >> 20), argument & 0xFFFFF, count);
                break;
            default:
                break;
        }

        _code.Exit(b);
        Push(service, b, nowPs, count: false);
    }

    /// <summary>The buffer-cache blocks a slept service needs when it resumes.</summary>
    private static IEnumerable<long> NeededKeys(int program, KernelService service, long argument, int count)
    {
        switch (service)
        {
            case KernelService.FileFault:
            {
                long va = argument << GuestLayout.PageShift;
                yield return va >= GuestLayout.SharedBase
                    ? Key(GuestFiles.SharedFile, argument - (GuestLayout.SharedBase >> GuestLayout.PageShift))
                    : Key(GuestFiles.Program(program), argument - (GuestLayout.TextBase >> GuestLayout.PageShift));
                break;
            }

            case KernelService.Open:
                yield return Key((int)argument, InodeBlock);
                break;
            case KernelService.Read:
                for (int i = 0; i < count; i++)
                {
                    yield return Key((int)(argument >> 20), (argument & 0xFFFFF) + i);
                }

                break;
            default:
                break;
        }
    }

    private void StartProcess(GuestProcess p, long nowPs)
    {
        p.Started = true;
        if (LibraryOs)
        {
            // The library OS starts its threads at boot: no exec, no fork.
            return;
        }

        var exec = _code.Entry();
        _code.Body(exec, KernelCode.Execve);
        exec.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbFlushAsid, p.Asid));
        _code.Exit(exec);
        Push(KernelService.Execve, exec, nowPs);
        var fork = _code.Entry();
        _code.Body(fork, KernelCode.Fork);
        _code.Exit(fork);
        Push(KernelService.Fork, fork, nowPs);
    }

    // ---- Scheduling --------------------------------------------------------------------------------------

    private void Reschedule(long nowPs)
    {
        int next = NextRunnable();
        if (next > 0)
        {
            PushSwitch(next, nowPs);
        }
        else
        {
            _current = 0;
        }
    }

    private void PushSwitch(int next, long nowPs)
    {
        var b = KernelCodeWriter.NewPath();
        _code.Body(b, KernelCode.ContextSwitch);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.SetAsid, next));
        Push(KernelService.ContextSwitch, b, nowPs, completion: PathCompletion.SwitchTo, argument: next);
    }

    /// <summary>The next runnable process after the current one, round robin; 0 when none.</summary>
    private int NextRunnable()
    {
        int n = GuestLayout.MaxProcesses;
        for (int i = 1; i <= n; i++)
        {
            int slot = ((_current + i - 1) % n) + 1;
            if (_slots[slot] is { State: GuestProcessState.Runnable })
            {
                return slot;
            }
        }

        return 0;
    }

    // ---- Path building -----------------------------------------------------------------------------------

    private void Push(KernelService service, List<Operation> ops, long nowPs, bool count = true, PathCompletion completion = PathCompletion.None, long argument = 0, int lockId = KernelLocks.Memlock)
    {
        if (count)
        {
            _serviceCount[(int)service]++;
        }

        var path = new KernelPath(service, ops, completion, argument) { StartPs = nowPs, LockId = lockId };
        if (Smp && !LibraryOs && service is KernelService.DemandZero or KernelService.FileFault or KernelService.Fork or KernelService.Execve or KernelService.Exit)
        {
            // IRIX's memlock guards the VM structures these change [D 5.5].
            path.Lock = LockState.Needed;
        }

        _paths.Add(new ExecutionStream(path, ExecutionMode.Kernel, GuestLayout.KernelAsid, kernelSegments: !Relocated));
    }

    private void CopyOut(List<Operation> b, GuestProcess p, int file, long block, int pages)
    {
        for (int i = 0; i < pages; i++)
        {
            _code.Copy(b, _bufferCache[Key(file, block + i)], UserBufferPage(p, i));
        }
    }

    private static long UserBufferPage(GuestProcess p, int i) =>
        p.TryTranslate((GuestLayout.BufferBase >> GuestLayout.PageShift) + (i % GuestProgramSource.BufferPages), out long page, out _)
            ? page
            : throw new InvalidOperationException($"guest: process {p.Job} does I/O before touching its buffer");

    /// <summary>The page of the process's page table that holds <paramref name="vpn"/>'s PTE exists (allocated on first need).</summary>
    private void EnsureTablePage(GuestProcess p, long vpn)
    {
        long tablePage = (vpn * 8) >> GuestLayout.PageShift;
        if (p.TablePage(tablePage) < 0)
        {
            p.SetTablePage(tablePage, AllocatePage());
        }
    }

    /// <summary>Writes the PTE (through the page-table segment: the store may miss) and loads it into the TLB.</summary>
    private void MapPte(List<Operation> b, GuestProcess p, long vpn)
    {
        EnsureTablePage(p, vpn);
        b.Add(Operation.Store(GuestLayout.PteAddress(p.Asid, vpn), 8));
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, GuestPrivilegedOps.TlbArgument(p.Asid, vpn)));
    }

    /// <summary>The kernel's address of a guest-physical page: KSEG0 on bare hardware, the mapped segment under Disco.</summary>
    public long KernelAddress(long guestPage, int offset) => _code.KernelAddress(guestPage, offset);

    private long AllocatePage()
    {
        long page;
        if (_free.Count > 0)
        {
            page = _free[^1];
            _free.RemoveAt(_free.Count - 1);
        }
        else if (_watermark >= _limit)
        {
            throw new BadInputException("disco.guest.memory-mb", $"guest memory is full ({_p.MemoryPages} pages): the workload needs more; give the guest more memory");
        }
        else
        {
            page = _watermark++;
        }

        _peakPages = Math.Max(_peakPages, PagesInUse);
        return page;
    }

    private static long Key(int file, long block) => ((long)file << 20) | block;

    private long FileStartBlock(int file) => (long)((ulong)file * 2654435761UL % (ulong)(_diskBlocks - GuestFiles.MaxBlocks - 1));

    // ---- Statistics and state ----------------------------------------------------------------------------

    public void ReportStats(IStatsSink sink, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(sink);
        for (int s = 0; s < KernelServices.Count; s++)
        {
            string name = ((KernelService)s).Name();
            sink.Add($"{prefix}service.{name}.count", _serviceCount[s]);
            sink.Add($"{prefix}service.{name}.time_ps", _serviceTimePs[s]);
        }

        sink.Add(prefix + "page_faults", _serviceCount[(int)KernelService.DemandZero] + _serviceCount[(int)KernelService.FileFault]);
        sink.Add(prefix + "memory_pages.guest", PagesInUse);
        sink.Add(prefix + "memory_pages.guest_peak", PeakPagesInUse);
        var footprint = Footprint();
        for (int k = 0; k < FootprintKinds.Length; k++)
        {
            sink.Add($"{prefix}footprint.guest.{FootprintKinds[k]}", footprint[k]);
        }
        sink.Add(prefix + "guest.disk_reads", _diskReads);
        sink.Add(prefix + "guest.disk_writes", _diskWrites);
        sink.Add(prefix + "guest.jobs_done", _jobsDone);
        sink.Add(prefix + "guest.buffer_cache_pages", _bufferCache.Count);
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write(_booted);
        writer.Write(_current);
        writer.Write(_sliceEndPs);
        writer.Write(_watermark);
        writer.Write(_limit);
        writer.Write(_sharedPages);
        writer.Write(CollectionsMarshalSpan(_free));
        WriteMap(ref writer, _bufferCache);
        WriteMap(ref writer, _inFlight);
        WriteMap(ref writer, _loaded);
        writer.WriteCount(_requests.Count);
        foreach (var io in _requests.Values)
        {
            writer.Write(io.Id);
            writer.Write(io.Disk);
            writer.Write(io.Sector);
            writer.Write(io.Keys);
            writer.Write(io.GuestPages);
            writer.Write(io.Write);
        }

        writer.Write(_nextRequest);
        writer.Write(_jobsStarted);
        writer.Write(_jobsDone);
        writer.Write(_serviceCount);
        writer.Write(_serviceTimePs);
        writer.Write(_diskReads);
        writer.Write(_diskWrites);
        writer.Write(_peakPages);
        writer.Write(_regionBase);
        writer.Write(_unzeroed.ToArray());
        WriteMap(ref writer, _libraryText);
        writer.Write(_nextNfs);
        writer.WriteCount(_nfsReplies.Count);
        foreach (var (handle, pages) in _nfsReplies)
        {
            writer.Write(handle);
            writer.Write(pages);
        }
        writer.WriteCount(Processes.Count());
        foreach (var p in Processes)
        {
            writer.Write(p.Asid);
            writer.Write(p.Job);
            p.Save(ref writer);
        }

        writer.WriteCount(_paths.Count);
        foreach (var stream in _paths)
        {
            stream.Save(ref writer);
        }
    }

    public void Load(ref StateReader reader)
    {
        _booted = reader.ReadBool("booted");
        _current = reader.ReadInt("current process", 0, GuestLayout.MaxProcesses);
        _sliceEndPs = reader.ReadLong("slice end", 0, long.MaxValue);
        _watermark = reader.ReadLong("page watermark", _p.KernelPages, _p.MemoryPages);
        _limit = reader.ReadLong("page limit", _p.KernelPages, _p.MemoryPages);
        _sharedPages = reader.ReadLong("shared pages", 0, _p.MemoryPages);
        _free.Clear();
        _free.AddRange(reader.ReadLongArray("free pages", (int)_p.MemoryPages));
        ReadMap(ref reader, _bufferCache, "buffer cache");
        _bufferPages.Clear();
        _bufferPages.UnionWith(_bufferCache.Values);
        ReadMap(ref reader, _inFlight, "blocks in flight");
        ReadMap(ref reader, _loaded, "pages loaded at boot");
        _requests.Clear();
        int n = reader.ReadCount("disk requests", 1 << 20);
        for (int i = 0; i < n; i++)
        {
            var io = new GuestIo(
                reader.ReadLong("request id", 0, long.MaxValue),
                reader.ReadInt("request disk", 0, _disks - 1),
                reader.ReadLong("request sector", 0, long.MaxValue),
                reader.ReadLongArray("request blocks", 1024),
                reader.ReadLongArray("request pages", 1024),
                reader.ReadBool("request writes"));
            _requests[io.Id] = io;
        }

        _nextRequest = reader.ReadLong("next request", 0, long.MaxValue);
        _jobsStarted = reader.ReadInt("jobs started", 0, _w.Jobs);
        _jobsDone = reader.ReadInt("jobs done", 0, _w.Jobs);
        reader.ReadLongsInto("service counts", _serviceCount);
        reader.ReadLongsInto("service times", _serviceTimePs);
        _diskReads = reader.ReadLong("disk reads", 0, long.MaxValue);
        _diskWrites = reader.ReadLong("disk writes", 0, long.MaxValue);
        _peakPages = reader.ReadLong("peak pages", 0, long.MaxValue);
        _regionBase = reader.ReadLong("shared region", -1, _p.MemoryPages);
        _unzeroed.Clear();
        _unzeroed.UnionWith(reader.ReadLongArray("pages to zero", 1 << 16));
        ReadMap(ref reader, _libraryText, "library-OS text pages");
        _nextNfs = reader.ReadLong("next nfs reply", 0, long.MaxValue);
        _nfsReplies.Clear();
        int replies = reader.ReadCount("nfs replies", 1 << 16);
        for (int i = 0; i < replies; i++)
        {
            long handle = reader.ReadLong("nfs reply", 0, long.MaxValue);
            _nfsReplies[handle] = reader.ReadLongArray("nfs pages", 1024);
        }
        Array.Clear(_slots);
        int processes = reader.ReadCount("processes", GuestLayout.MaxProcesses);
        for (int i = 0; i < processes; i++)
        {
            int asid = reader.ReadInt("process asid", 1, GuestLayout.MaxProcesses);
            int job = reader.ReadInt("process job", 0, _w.Jobs - 1);
            var p = new GuestProcess(asid, job, job % _w.Programs, new GuestProgramSource(_w, _seed, job));
            p.Load(ref reader);
            _slots[asid] = p;
        }

        _paths.Clear();
        int paths = reader.ReadCount("kernel paths", 1024);
        for (int i = 0; i < paths; i++)
        {
            var stream = new ExecutionStream(new KernelPath(), ExecutionMode.Kernel, GuestLayout.KernelAsid, kernelSegments: !Relocated);
            stream.Load(ref reader);
            _paths.Add(stream);
        }
    }

    private static long[] CollectionsMarshalSpan(List<long> list) => [.. list];

    private static void WriteMap(ref StateWriter writer, SortedDictionary<long, long> map)
    {
        writer.WriteCount(map.Count);
        foreach (var (k, v) in map)
        {
            writer.Write(k);
            writer.Write(v);
        }
    }

    private static void ReadMap(ref StateReader reader, SortedDictionary<long, long> map, string what)
    {
        map.Clear();
        int n = reader.ReadCount(what, 1 << 26);
        for (int i = 0; i < n; i++)
        {
            long k = reader.ReadLong(what);
            map[k] = reader.ReadLong(what);
        }
    }
}
