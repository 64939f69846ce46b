using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The guest's TLB misses and page faults: a refill from the page table (fast, or slow when the page-table load
/// itself misses), a demand-zero fault on anonymous memory, a file fault on program text or the mapped shared file
/// (through the buffer cache, sleeping on the disk when the block is not there), and the library OS's faults, which
/// the monitor takes and this only answers.
/// </summary>
internal sealed class FaultHandler : IStateful
{
    private readonly GuestWorkload _w;
    private readonly GuestMemory _memory;
    private readonly BufferCache _cache;
    private readonly KernelPathStack _paths;
    private readonly Scheduler _scheduler;
    private readonly KernelCodeWriter _code;
    private readonly bool _smp;
    private readonly bool _libraryOs;

    // Library OS: pages given out but not yet zeroed, and text pages with the program block that backs them.
    private readonly SortedSet<long> _unzeroed = [];
    private readonly SortedDictionary<long, BlockKey> _libraryText = [];

    public FaultHandler(GuestWorkload workload, GuestMemory memory, BufferCache cache, KernelPathStack paths, Scheduler scheduler, KernelCodeWriter code, bool smp, bool libraryOs)
    {
        _w = workload;
        _memory = memory;
        _cache = cache;
        _paths = paths;
        _scheduler = scheduler;
        _code = code;
        _smp = smp;
        _libraryOs = libraryOs;
    }

    /// <summary>A program's text: its code plus the longest basic block, which may run past the end of the code.</summary>
    public long TextBytes => _w.Profile.CodeBytes + (4096 * 4);

    /// <summary>The file block behind a file-backed user page: of the shared mapped file, else of the program's text.</summary>
    public static BlockKey FileBlockOf(int program, long vpn) =>
        vpn << GuestLayout.PageShift >= GuestLayout.SharedBase
            ? new BlockKey(GuestFiles.SharedFile, vpn - (GuestLayout.SharedBase >> GuestLayout.PageShift))
            : new BlockKey(GuestFiles.Program(program), vpn - (GuestLayout.TextBase >> GuestLayout.PageShift));

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
            KernelRefill(virtualAddress, vpn, nowPs);
            return;
        }

        var p = _scheduler.CurrentProcess ?? throw new InvalidOperationException("guest: TLB miss with no process running");
        if (_libraryOs)
        {
            throw new InvalidOperationException($"library OS: a TLB miss at 0x{virtualAddress:x} reached the guest (the monitor handles them)");
        }

        if (p.TryTranslate(vpn, out _, out _))
        {
            _paths.Push(KernelService.FastTlbRefill, UtlbRefill(_code, p.Asid, vpn), nowPs);
            return;
        }

        if (virtualAddress >= GuestLayout.DataBase && virtualAddress < GuestLayout.SharedBase)
        {
            DemandZero(p, vpn, nowPs);
        }
        else if ((virtualAddress >= GuestLayout.TextBase && virtualAddress < GuestLayout.TextBase + TextBytes)
            || (virtualAddress >= GuestLayout.SharedBase && virtualAddress < GuestLayout.SharedBase + _w.Profile.SharedBytes))
        {
            FileFault(p, vpn, nowPs);
        }
        else
        {
            throw new InvalidOperationException($"guest: process {p.Job} touched 0x{virtualAddress:x}, outside its regions");
        }
    }

    /// <summary>
    /// The MIPS UTLB refill handler: mfc0 Context, two loads of the even/odd PTE pair, two mtc0 EntryLo (the
    /// instructions of guest.paths.utlb-refill), then tlbwr and eret, the two that trap under the monitor.
    /// </summary>
    internal static List<Operation> UtlbRefill(KernelCodeWriter code, int asid, long vpn)
    {
        var b = KernelCodeWriter.NewPath();
        code.Code(b, KernelCode.UtlbRefill);
        long evenPte = GuestLayout.PteAddress(asid, vpn & ~1L);
        b.Add(Operation.Load(evenPte, PteBytes));
        b.Add(Operation.Load(evenPte + PteBytes, PteBytes));
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, GuestPrivilegedOps.TlbArgument(asid, vpn)));
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Exit));
        return b;
    }

    private const int PteBytes = 8;

    /// <summary>The page-table load of a refill missed: the refill becomes a slow one, and the nested kernel refill is part of it.</summary>
    private void KernelRefill(long virtualAddress, long vpn, long nowPs)
    {
        if (!GuestLayout.IsPageTable(virtualAddress))
        {
            throw new InvalidOperationException($"guest: kernel TLB miss at 0x{virtualAddress:x} outside the page-table segment");
        }

        var top = _paths.Top;
        if (top.Service == KernelService.FastTlbRefill)
        {
            _paths.BecomeSlowRefill(top);
        }

        var b = KernelCodeWriter.NewPath();
        _code.Code(b, KernelCode.KtlbRefill);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, GuestPrivilegedOps.TlbArgument(GuestLayout.KernelAsid, vpn)));
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Exit));
        _paths.Push(KernelService.SlowTlbRefill, b, nowPs, count: top.Service != KernelService.SlowTlbRefill);
    }

    private void DemandZero(GuestProcess p, long vpn, long nowPs)
    {
        long page = _memory.Allocate();
        p.Map(vpn, page, writable: true);
        var b = _code.Entry();
        _code.Body(b, KernelCode.DemandZero);
        if (_smp && _w.SharedAddressSpace)
        {
            // A fault on the region the program's threads share: the region's semaphore is held throughout.
            _code.Zero(b, page);
            _memory.MapPte(b, p, vpn);
            _code.Exit(b);
            _paths.Push(KernelService.DemandZero, b, nowPs, lockId: KernelLocks.RegionSemaphore);
            return;
        }

        if (_smp)
        {
            // The page tables under the memlock, the zeroing outside it.
            _memory.MapPte(b, p, vpn);
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Unlock));
            _code.Zero(b, page);
        }
        else
        {
            _code.Zero(b, page);
            _memory.MapPte(b, p, vpn);
        }

        _code.Exit(b);
        _paths.Push(KernelService.DemandZero, b, nowPs);
    }

    private void FileFault(GuestProcess p, long vpn, long nowPs)
    {
        var key = FileBlockOf(p.Program, vpn);
        var b = _code.Entry();
        if (_cache.TryGetPage(key, out long page))
        {
            // Resident: a quick fault, the page table updated from the buffer cache without I/O.
            _code.Body(b, KernelCode.QuickFault);
            p.Map(vpn, page, writable: false);
            _memory.MapPte(b, p, vpn);
            _code.Exit(b);
            _paths.Push(KernelService.QuickFault, b, nowPs);
            return;
        }

        _code.Body(b, KernelCode.FileFault);

        p.Sleep(_cache.StartReads(b, [key]), KernelService.FileFault, vpn);
        _paths.Push(KernelService.FileFault, b, nowPs);
    }

    /// <summary>The second half of a file fault that slept: its block is cached now.</summary>
    public void ResumeFileFault(List<Operation> b, GuestProcess p, long vpn)
    {
        p.Map(vpn, _cache.PageOf(FileBlockOf(p.Program, vpn)), writable: false);
        _memory.MapPte(b, p, vpn);
    }

    /// <summary>
    /// A library OS: the monitor took a fault on a user page its thread has not touched yet. The library OS has no
    /// page tables; the page comes from its free memory, mapped at once: a text page read-only, backed by its block
    /// of the program file, any other page writable, to be zeroed by the monitor (<see cref="TakeUnzeroed"/>).
    /// Returns the guest-physical page.
    /// </summary>
    public long LibraryFault(int asid, long vpn)
    {
        if (!_libraryOs)
        {
            throw new InvalidOperationException("guest: only a library OS leaves its page faults to the monitor");
        }

        var p = asid != GuestLayout.KernelAsid && _scheduler.Process(asid) is { } q ? q : throw new InvalidOperationException($"library OS: a fault for unknown thread {asid}");
        long va = vpn << GuestLayout.PageShift;
        if (!GuestLayout.IsUser(va))
        {
            throw new InvalidOperationException($"library OS: thread {p.Job} touched 0x{va:x}, outside user space");
        }

        if (p.TryTranslate(vpn, out long mapped, out _))
        {
            return mapped;
        }

        long page = _memory.Allocate();
        if (va >= GuestLayout.TextBase && va < GuestLayout.TextBase + TextBytes)
        {
            // The program's text: its block of the program file, which the monitor maps from its disk cache (the
            // library OS loaded the program at boot), shared by every thread and VM that runs it. Not zeroed.
            p.Map(vpn, page, writable: false);
            _libraryText[page] = FileBlockOf(p.Program, vpn);
            _paths.CountService(KernelService.FileFault);
            return page;
        }

        p.Map(vpn, page, writable: true);
        _unzeroed.Add(page);
        _paths.CountService(KernelService.DemandZero);
        return page;
    }

    /// <summary>True once for each page a library-OS fault gave out: the monitor zeroes it before the thread runs on.</summary>
    public bool TakeUnzeroed(long guestPage) => _unzeroed.Remove(guestPage);

    /// <summary>The program block behind a library-OS text page, if it is one.</summary>
    public bool TryGetLibraryText(long guestPage, out BlockKey key) => _libraryText.TryGetValue(guestPage, out key);

    public void DeclareState(ref StateIo io)
    {
        io.Set("pages to zero", _unzeroed, 1 << 26, 0);
        io.Map("library-OS text pages", _libraryText, 1 << 26, static (ref StateIo io, ref long page) => io.Long("guest page", ref page, 0), static (ref StateIo io, ref BlockKey key) => io.Value("block", ref key));
    }
}
