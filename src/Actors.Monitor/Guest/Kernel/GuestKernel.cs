using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The IRIX-like guest kernel of one uniprocessor virtual machine (or of the bare machine): processes with page
/// tables, demand-zero and file-backed faults, the TLB refill handlers, open/read/write/execve/fork/exit over a
/// buffer cache and a disk, a round-robin scheduler and an idle loop. It is a pure model: the supervisor that hosts
/// it (bare hardware or a Disco VCPU) calls it on traps and runs the <see cref="KernelPath"/>s it pushes; the
/// privileged instructions in those paths are executed natively or emulated by that supervisor.
///
/// This class is the kernel's face to its supervisor; the work is in its parts, one per subsystem:
/// <see cref="Scheduler"/>, <see cref="GuestMemory"/>, <see cref="BufferCache"/>, <see cref="FaultHandler"/>,
/// <see cref="SystemCalls"/>, <see cref="KernelPathStack"/> (paths and locks) and <see cref="NfsServer"/>.
///
/// The two differences Disco needs from a commodity kernel [D 4.3] are construction flags, nothing else:
/// <see cref="Relocated"/> (the kernel reaches memory through a mapped segment instead of KSEG0, so its references
/// take TLB misses) and <see cref="MonitorZeroes"/> (it asks the monitor for zeroed pages).
/// </summary>
public sealed class GuestKernel : IStateful
{
    private readonly GuestParams _p;
    private readonly GuestWorkload _w;
    private readonly KernelCodeWriter _code;
    private readonly bool _remoteData;
    private readonly int _instance;
    private readonly int _instances;

    private readonly GuestMemory _memory;
    private readonly BufferCache _cache;
    private readonly KernelPathStack _paths;
    private readonly Scheduler _scheduler;
    private readonly FaultHandler _faults;
    private readonly SystemCalls _calls;
    private readonly NfsServer _nfs;

    private bool _booted;

    /// <param name="sectorBytes">The disk's sector size (<c>disco.machine.disk</c>).</param>
    /// <param name="lineBytes">The L2 cache line size: the kernel zeroes and copies pages line by line.</param>
    /// <param name="remoteData">An NFS client: the workload's data files are on the server, so they are not in its cache at boot.</param>
    /// <param name="instance">SMP guests: this processor's part of the kernel (0 to <paramref name="instances"/> - 1).</param>
    /// <param name="nfsServer">The NFS server of the virtual network: unless <see cref="GuestParams.NfsWarmCache"/>, the
    /// files it serves are on its disk, not in its cache, at boot.</param>
    /// <param name="instances">SMP guests: processors the kernel runs on. Each part runs its own processes (its
    /// share of the jobs) and allocates from its own slice of free memory; all parts share the kernel's text and
    /// data (the same pages, so the processors' caches contend for them), the files cached at boot, and the memlock.</param>
    /// <param name="runQueue">SMP guests with a shared run queue: this part's tie to it (null: its processes stay here).</param>
    public GuestKernel(GuestParams parameters, GuestWorkload workload, long seed, int disks, long diskSectors, int sectorBytes, int lineBytes, bool relocated, bool monitorZeroes, bool remoteData = false, int instance = 0, int instances = 1, bool nfsServer = false, RunQueueLink? runQueue = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(workload);
        _p = parameters;
        _w = workload;
        _remoteData = remoteData || (nfsServer && !parameters.NfsWarmCache);
        _instance = instance;
        _instances = instances;
        Relocated = relocated;
        MonitorZeroes = monitorZeroes;
        long regionPages = (workload.Profile.SharedBytes + GuestLayout.PageBytes - 1) >> GuestLayout.PageShift;
        _memory = new GuestMemory(parameters, instance, instances, regionPages);
        _code = new KernelCodeWriter(parameters, relocated, monitorZeroes, lineBytes, _memory.TouchKernelPage);
        _cache = new BufferCache(_memory, disks, diskSectors, sectorBytes);
        _paths = new KernelPathStack(relocated, takesLocks: Smp && !LibraryOs, _code.MemlockWord);
        if (Smp && !LibraryOs)
        {
            // The memlock's word is kernel data every locked path spins on.
            _memory.TouchKernelPage(parameters.KernelPages - 1);
        }

        _scheduler = new Scheduler(parameters, workload, seed, _memory, _paths, _code, LibraryOs, runQueue);
        _faults = new FaultHandler(workload, _memory, _cache, _paths, _scheduler, _code, Smp, LibraryOs);
        _calls = new SystemCalls(workload, _cache, _paths, _faults, _code);
        _nfs = new NfsServer(_cache, _paths, _code, parameters.NfsThreads);
        _memory.FootprintFrom(Footprint);
    }

    public GuestParams Parameters => _p;

    /// <summary>The kernel reaches memory through the mapped segment (under Disco) instead of KSEG0.</summary>
    public bool Relocated { get; }

    /// <summary>The kernel asks the monitor for zeroed pages instead of zeroing them itself.</summary>
    public bool MonitorZeroes { get; }

    /// <summary>A SPLASHOS-like library OS (<see cref="GuestParams.LibraryOs"/>): the monitor handles its page faults.</summary>
    public bool LibraryOs => _p.LibraryOs;

    /// <summary>Every job has exited: nothing will ever run again.</summary>
    public bool Finished => _scheduler.Finished;

    /// <summary>A kernel path runs (privileged operations are the kernel's; a TLB miss is the kernel's own).</summary>
    public bool InKernel => _paths.Count > 0;

    /// <summary>What runs: the innermost kernel path, else the current process, else nothing (the idle loop).</summary>
    public ExecutionStream? Current => _paths.Count > 0 ? _paths.Innermost : _scheduler.CurrentStream;

    /// <summary>The kernel paths under way, innermost last.</summary>
    public IEnumerable<KernelPath> PathStack => _paths.Paths;

    public GuestProcess? CurrentProcess => _scheduler.CurrentProcess;

    public IEnumerable<GuestProcess> Processes => _scheduler.Processes;

    public long ServiceCount(KernelService s) => _paths.ServiceCount(s);

    public long ServiceTimePs(KernelService s) => _paths.ServiceTimePs(s);

    /// <summary>Under the monitor: splits each service's time by what the VCPU's time went to (see <see cref="Vcpus.Vcpu.WorkPs"/>).</summary>
    public void SplitServicesBy(long[] workPs) => _paths.SplitBy(workPs);

    /// <summary>The part of a service's time that went to work number <paramref name="work"/> (<see cref="Vcpus.MonitorWork"/>).</summary>
    public long ServiceSplitPs(KernelService s, int work) => _paths.ServiceSplitPs(s, work);

    /// <summary>Guest-physical pages in use (kernel, buffer cache, processes, page tables).</summary>
    public long PagesInUse => _memory.PagesInUse;

    /// <summary>An SMP part's slice of the memory left after the kernel and the files cached at boot.</summary>
    public long SliceSize => _memory.SliceSize;

    /// <summary>Guest pages every SMP part shares (kernel, files cached at boot), from page 0; the slices follow. Known after boot.</summary>
    public long SharedPages => _memory.SharedPages;

    public int Instances => _instances;

    /// <summary>True for an SMP guest's parts: their VM-structure operations take the memlock.</summary>
    public bool Smp => _instances > 1;

    public long DiskReads => _cache.DiskReads;

    public long DiskWrites => _cache.DiskWrites;

    /// <summary>The most guest-physical pages in use at once (this part's, for an SMP guest).</summary>
    public long PeakPagesInUse => _memory.PeakPagesInUse;

    public int JobsDone => _scheduler.JobsDone;

    /// <summary>Starts the first jobs; with a warm cache, the files they use are in the buffer cache already.</summary>
    public void Boot(long nowPs)
    {
        if (_booted)
        {
            return;
        }

        _booted = true;
        bool anonymousRegion = _w.SharedAddressSpace && _w.Profile.SharedBytes > 0;
        if (_w.WarmCache && !LibraryOs)
        {
            long textBlocks = _faults.TextBytes >> GuestLayout.PageShift;
            for (int prog = 0; prog < _w.Programs; prog++)
            {
                _cache.Warm(GuestFiles.Program(prog), textBlocks);
            }

            if (!anonymousRegion)
            {
                _cache.Warm(GuestFiles.SharedFile, _w.Profile.SharedBytes >> GuestLayout.PageShift);
            }

            for (int f = 0; f < _w.DistinctFiles && _w.FilesPerJob > 0 && !_remoteData; f++)
            {
                _cache.Warm(f, _w.FileKb / 4);
            }
        }

        if (anonymousRegion)
        {
            // The workload's shared region is anonymous memory the threads of one program write (radix's key
            // arrays), not a file mapped read-only.
            _memory.AllocateRegion();
        }

        _memory.EndBoot();
        _scheduler.StartJobs(nowPs);
        _scheduler.Reschedule(nowPs);
    }

    /// <summary>Counter names of <see cref="GuestPageKind"/>, in order.</summary>
    public static readonly string[] FootprintKinds = ["kernel_text", "kernel_data", "buffer_cache", "process"];

    /// <summary>
    /// Pages holding data now, by kind (<see cref="GuestPageKind"/> order): kernel text and data the kernel's paths
    /// have touched, buffer cache pages, and the rest in use (processes, page tables); a freed page no longer counts.
    /// </summary>
    public long[] Footprint()
    {
        if (_instances > 1 && _instance > 0)
        {
            // The kernel and the files cached at boot are SMP part 0's to count: they are the same pages. (So are
            // the kernel pages only this part touched: part 0's paths are the same kinds, so they reach them too.)
            long own = _cache.FootprintPages - _cache.LoadedCount;
            return [0, 0, own, PagesInUse - own];
        }

        long buffers = _cache.FootprintPages - _cache.UntouchedCount;
        return [_memory.TouchedTextPages, _memory.TouchedDataPages, buffers, PagesInUse - _p.KernelPages - _cache.FootprintPages];
    }

    /// <summary>The footprint split when it was largest (<see cref="Footprint"/>'s rule, sampled before every change).</summary>
    public long[] PeakFootprint() => _memory.PeakFootprint();

    /// <summary>The guest pages an exited process (<paramref name="asid"/>) gives back when its exit path ends.</summary>
    public long[] ReleasedPages(int asid) => _scheduler.Process(asid) is { State: GuestProcessState.Exited } p ? [.. _memory.PagesOf(p)] : [];

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

        return _cache.IsBufferPage(guestPage) ? GuestPageKind.BufferCache : GuestPageKind.Process;
    }

    /// <summary>
    /// The disk block a guest page was loaded from before the run (its kernel text, the files in its cache at boot),
    /// or null: a monitor backs such a page from its disk cache. Sectors are on the guest's disk.
    /// </summary>
    public (int Disk, long Sector)? LoadedFrom(long guestPage)
    {
        if (guestPage >= 0 && guestPage < _p.KernelTextPages)
        {
            return (GuestFiles.RootDisk, _cache.BlockSector(new BlockKey(GuestFiles.Kernel, guestPage)));
        }

        return _cache.TryGetLoaded(guestPage, out var key) || _faults.TryGetLibraryText(guestPage, out key) ? _cache.Location(key) : null;
    }

    // ---- Traps -------------------------------------------------------------------------------------------

    /// <summary>At each quantum: the time slice.</summary>
    public void OnQuantum(long nowPs)
    {
        _scheduler.OnQuantum(nowPs);
        _scheduler.Balance(nowPs);
    }

    /// <summary>A TLB miss the guest must handle (on bare hardware every one; under Disco those the monitor could not).</summary>
    public void OnTlbMiss(long virtualAddress, bool readOnly, long nowPs) => _faults.OnTlbMiss(virtualAddress, readOnly, nowPs);

    /// <summary>A system call of the current process.</summary>
    public void OnSyscall(in Operation operation, long nowPs) =>
        _calls.OnSyscall(CurrentProcess ?? throw new InvalidOperationException("guest: system call with no process running"), operation, nowPs);

    /// <summary>The current process's stream has ended: it exits.</summary>
    public void OnProcessEnd(long nowPs) =>
        _scheduler.Exit(CurrentProcess ?? throw new InvalidOperationException("guest: stream end with no process running"), nowPs);

    /// <summary>
    /// The innermost kernel path has run to its end. Returns the lock it still held (<see cref="KernelLocks"/>; the
    /// caller releases it), or -1.
    /// </summary>
    public int OnPathEnd(long nowPs)
    {
        var path = _paths.Pop(nowPs);
        switch (path.Completion)
        {
            case PathCompletion.SwitchTo:
                var next = _scheduler.SwitchTo((int)path.Argument, nowPs);
                if (!next.Started)
                {
                    _scheduler.StartProcess(next, nowPs);
                }
                else if (next.ResumeService >= 0)
                {
                    _calls.Resume(next, nowPs);
                }

                break;
            case PathCompletion.Exit:
                _scheduler.Reap((int)path.Argument, nowPs);
                break;
            default:
                break;
        }

        if (_paths.Count == 0 && _scheduler.NeedsPick)
        {
            _scheduler.Reschedule(nowPs);
        }

        return path.Lock == LockState.Held ? path.LockId : -1;
    }

    // ---- The shared run queue (SMP guests; the supervisor carries the messages) -------------------------------

    /// <summary>Messages for the run queue from the last call (asks, processes given up, returns); the caller sends them.</summary>
    public IReadOnlyList<ISimMessage> TakeRunQueueMessages() => _scheduler.TakeOutbox();

    /// <summary>This part's run-queue traffic (tests check with it that no process is lost or duplicated).</summary>
    public RunQueueCounts RunQueueCounts => _scheduler.Counts;

    /// <summary>The run queue gave this part a process, or says whether a processor idles, or returns pages and a job's end.</summary>
    public void OnRunQueue(ISimMessage message, long nowPs)
    {
        switch (message)
        {
            case ProcessGive g:
                _scheduler.Arrive(g.Process, nowPs);
                break;
            case RunQueueThieves t:
                _scheduler.OnThieves(t.Any, nowPs);
                break;
            case ProcessReturn r:
                _scheduler.OnReturn(r, nowPs);
                break;
            default:
                throw new InvalidOperationException($"guest: {message.GetType().Name} is not a run-queue message");
        }

        if (_paths.Count == 0 && _scheduler.NeedsPick)
        {
            _scheduler.Reschedule(nowPs);
        }
    }

    // ---- Locks (SMP guests; the supervisor carries the requests to the lock component) ----------------------

    /// <summary>The path about to run needs a lock it has not asked for: it asks now. Returns it, or null.</summary>
    public KernelPath? RequestLock() => _paths.RequestLock();

    /// <summary>
    /// The region semaphore was granted to the innermost path that asked. A waiter that slept (<paramref name="woken"/>)
    /// is woken first: the wake-up is an interrupt path of the kernel's before the waiting path goes on.
    /// </summary>
    public void GrantLock(long nowPs, bool woken)
    {
        _paths.GrantLock();
        if (woken)
        {
            var b = _code.Entry();
            _code.Body(b, KernelCode.Interrupt);
            _code.Exit(b);
            _paths.Push(KernelService.Interrupt, b, nowPs);
        }
    }

    /// <summary>An unlock: the innermost path that holds a lock gives it up. Returns it, or null.</summary>
    public KernelPath? ReleaseLock() => _paths.ReleaseLock();

    /// <summary>The path waiting for a lock waits for the region semaphore (it sleeps; a memlock waiter spins).</summary>
    public bool WaitsOnSemaphore => _paths.WaitsOnSemaphore;

    // ---- Devices -----------------------------------------------------------------------------------------

    /// <summary>A disk transfer completed: a read's blocks enter the buffer cache; its sleepers wake.</summary>
    public void OnDiskComplete(long requestId, long nowPs)
    {
        _cache.Complete(requestId);
        _scheduler.Wake(requestId, nowPs);
        _nfs.OnDiskComplete(requestId, nowPs);
        var b = _code.Entry();
        _code.Body(b, KernelCode.Interrupt);
        _code.Exit(b);
        _paths.Push(KernelService.Interrupt, b, nowPs);
    }

    /// <summary>The disk read a StartIo operation names.</summary>
    public GuestIo Io(long requestId) => _cache.Request(requestId);

    /// <summary>
    /// An NFS server: a read request for the file blocks <paramref name="keys"/> arrived; the nfsd path sends the
    /// reply. Returns the reply's handle.
    /// </summary>
    public long OnNfsRequest(IReadOnlyList<BlockKey> keys, long nowPs)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return _nfs.OnRequest(keys, nowPs);
    }

    /// <summary>The guest pages of NFS reply <paramref name="handle"/>; <paramref name="sent"/> forgets it.</summary>
    public long[] NfsReplyPages(long handle) => _nfs.ReplyPages(handle);

    /// <summary>NFS reply <paramref name="handle"/> has left: its nfsd thread is free for the next request.</summary>
    public void NfsReplySent(long handle, long nowPs) => _nfs.ReplySent(handle, nowPs);

    // ---- Page tables -------------------------------------------------------------------------------------

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
                return (_scheduler.Process(slot) is { } q ? q.TablePage(tablePage) : -1, true);
            }

            if (Relocated && GuestLayout.IsMappedKernel(va))
            {
                long page = (va - GuestLayout.MappedKernelBase) >> GuestLayout.PageShift;
                return page < _p.MemoryPages ? (page, true) : (-1, false);
            }

            return (-1, false);
        }

        return _scheduler.Process(asid) is { } p && p.TryTranslate(vpn, out long g, out bool w) ? (g, w) : (-1, false);
    }

    /// <summary>A library OS: the monitor took a fault on an untouched user page. Returns the guest page it gets.</summary>
    public long LibraryFault(int asid, long vpn) => _faults.LibraryFault(asid, vpn);

    /// <summary>True once for each page a library-OS fault gave out: the monitor zeroes it before the thread runs on.</summary>
    public bool TakeUnzeroed(long guestPage) => _faults.TakeUnzeroed(guestPage);

    /// <summary>The kernel's address of a guest-physical page: KSEG0 on bare hardware, the mapped segment under Disco.</summary>
    public long KernelAddress(long guestPage, int offset) => _code.KernelAddress(guestPage, offset);

    // ---- Statistics and state ----------------------------------------------------------------------------

    /// <summary>The kernel's counters (each part's), then the figures derived from its state.</summary>
    public void ReportStats(IStatsSink sink)
    {
        this.ReportTo(sink);
        sink.Add("page_faults", ServiceCount(KernelService.DemandZero) + ServiceCount(KernelService.FileFault) + ServiceCount(KernelService.QuickFault));
        sink.Add("memory_pages.guest", PagesInUse);
        sink.Add("memory_pages.guest_peak", PeakPagesInUse);
        var footprint = Footprint();
        for (int k = 0; k < FootprintKinds.Length; k++)
        {
            sink.Add($"footprint.guest.{FootprintKinds[k]}", footprint[k]);
        }

        var peak = PeakFootprint();
        for (int k = 0; k < FootprintKinds.Length; k++)
        {
            sink.Add($"footprint.guest.peak.{FootprintKinds[k]}", peak[k]);
        }

        sink.Add("guest.jobs_done", JobsDone);
        sink.Add("guest.buffer_cache_pages", _cache.Count);
    }

    public void DeclareState(ref StateIo io)
    {
        io.Bool("booted", ref _booted);
        io.Part(_memory);
        io.Part(_cache);
        io.Part(_faults);
        io.Part(_nfs);
        io.Part(_scheduler);
        io.Part(_paths);
    }
}
