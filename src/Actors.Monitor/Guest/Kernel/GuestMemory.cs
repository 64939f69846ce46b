using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The guest kernel's physical memory: pages handed out below a watermark, then reused from a free list (last freed,
/// first reused), the program's shared region, and the pages of each process's page table. An SMP guest's parts
/// share the pages laid out at boot and then each allocates from its own slice of the rest.
/// </summary>
internal sealed class GuestMemory : IStateful
{
    private readonly GuestParams _p;
    private readonly int _instance;
    private readonly int _instances;
    private readonly long _regionPages;

    private long _watermark;
    private long _limit;
    private long _sharedPages;
    private readonly List<long> _free = [];
    private long _peakPages;
    private long _regionBase = -1;
    private readonly SortedSet<long> _kernelTouched = [];
    private long _peakFootprint;
    private long[] _peakSplit = new long[4];

    // Derived from _kernelTouched (rebuilt on load): marking a page is on every kernel path's way.
    private readonly bool[] _touched;
    private readonly long[] _touchedOfKind = new long[2];

    [Transient("the kernel's footprint, given by the kernel after its parts exist; stateless")]
    private Func<long[]>? _footprint;

    /// <param name="regionPages">Pages of the workload's shared region, if it gets one (<see cref="AllocateRegion"/>).</param>
    public GuestMemory(GuestParams parameters, int instance, int instances, long regionPages)
    {
        _p = parameters;
        _instance = instance;
        _instances = instances;
        _regionPages = regionPages;
        _watermark = parameters.KernelPages;
        _limit = parameters.MemoryPages;
        _touched = new bool[parameters.KernelPages];
    }

    /// <summary>Kernel text pages the kernel's paths have touched.</summary>
    public long TouchedTextPages => _touchedOfKind[0];

    /// <summary>Kernel data pages the kernel's paths have touched.</summary>
    public long TouchedDataPages => _touchedOfKind[1];

    /// <summary>The footprint split at its peak (the last instant at the total's maximum), in <see cref="GuestKernel.FootprintKinds"/> order.</summary>
    public long[] PeakFootprint()
    {
        Sample();
        return [.. _peakSplit];
    }

    /// <summary>Where the footprint split comes from (the kernel's parts); sampled before every change of it.</summary>
    public void FootprintFrom(Func<long[]> footprint) => _footprint = footprint;

    /// <summary>
    /// A kernel text or data page holds something the kernel uses from its first touch on (a page the kernel never
    /// reaches is never brought in, on bare hardware as under a monitor).
    /// </summary>
    public void TouchKernelPage(long guestPage)
    {
        if (guestPage < 0 || guestPage >= _touched.Length || _touched[guestPage])
        {
            return;
        }

        Sample();
        _touched[guestPage] = true;
        _kernelTouched.Add(guestPage);
        _touchedOfKind[guestPage < _p.KernelTextPages ? 0 : 1]++;
    }

    /// <summary>The footprint is about to change (a part other than this one changes it).</summary>
    public void BeforeChange() => Sample();

    /// <summary>
    /// Keeps the split of the largest footprint so far, the last instant at it (as the machine's count does:
    /// <see cref="Memory.NodeAllocator"/>); called before each change, so it sees only whole states.
    /// </summary>
    private void Sample()
    {
        if (_footprint is null)
        {
            return;
        }

        var now = _footprint();
        long total = now.Sum();
        if (total >= _peakFootprint)
        {
            _peakFootprint = total;
            _peakSplit = now;
        }
    }

    /// <summary>Guest-physical pages in use (kernel, buffer cache, processes, page tables).</summary>
    public long PagesInUse => _instances == 1 ? _watermark - _free.Count : (_instance == 0 ? _sharedPages : 0) + (_watermark - (_limit - SliceSize) - _free.Count);

    /// <summary>An SMP part's slice of the memory left after the kernel and the files cached at boot.</summary>
    public long SliceSize => (_p.MemoryPages - _sharedPages) / _instances;

    /// <summary>Pages every SMP part shares, from page 0 (known after boot).</summary>
    public long SharedPages => _sharedPages;

    public long PeakPagesInUse => Math.Max(_peakPages, PagesInUse);

    /// <summary>First page of the program's shared region (-1: none).</summary>
    public long RegionBase => _regionBase;

    public long RegionPages => _regionPages;

    public bool InRegion(long guestPage) => _regionBase >= 0 && guestPage >= _regionBase && guestPage < _regionBase + _regionPages;

    public long Allocate()
    {
        Sample();
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

    public void Free(long guestPage)
    {
        Sample();
        _free.Add(guestPage);
    }

    /// <summary>What an exited process gives back: its private pages (not the shared region's) and its page tables.</summary>
    public IEnumerable<long> PagesOf(GuestProcess p) => p.PrivatePages().Where(g => !InRegion(g)).Concat(p.TablePages.Order());

    /// <summary>SMP guests: the part whose slice holds the page (-1: a page laid out at boot, every part's).</summary>
    public int OwnerOf(long guestPage) => guestPage < _sharedPages || SliceSize <= 0 ? -1 : (int)Math.Min((guestPage - _sharedPages) / SliceSize, _instances - 1);

    /// <summary>The program's shared data (radix's key arrays): the same pages in every SMP part, after the kernel and the files.</summary>
    public void AllocateRegion()
    {
        _regionBase = _watermark;
        for (long i = 0; i < _regionPages; i++)
        {
            Allocate();
        }
    }

    /// <summary>
    /// The end of boot: everything allocated so far (kernel, files cached at boot, a shared region) is laid out the
    /// same by every SMP part, so it is shared; each part then allocates from its own slice.
    /// </summary>
    public void EndBoot()
    {
        _sharedPages = _watermark;
        if (_instances > 1)
        {
            _watermark = _sharedPages + (_instance * SliceSize);
            _limit = _watermark + SliceSize;
        }
    }

    /// <summary>The page of the process's page table that holds <paramref name="vpn"/>'s PTE exists (allocated on first need).</summary>
    public void EnsureTablePage(GuestProcess p, long vpn)
    {
        long tablePage = (vpn * 8) >> GuestLayout.PageShift;
        if (p.TablePage(tablePage) < 0)
        {
            p.SetTablePage(tablePage, Allocate());
        }
    }

    /// <summary>Writes the PTE (through the page-table segment: the store may miss) and loads it into the TLB.</summary>
    public void MapPte(List<Operation> b, GuestProcess p, long vpn)
    {
        EnsureTablePage(p, vpn);
        b.Add(Operation.Store(GuestLayout.PteAddress(p.Asid, vpn), 8));
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.TlbWrite, GuestPrivilegedOps.TlbArgument(p.Asid, vpn)));
    }

    public void DeclareState(ref StateIo io)
    {
        long maxPage = _p.MemoryPages;
        io.Long("page watermark", ref _watermark, _p.KernelPages, maxPage);
        io.Long("page limit", ref _limit, _p.KernelPages, maxPage);
        io.Long("shared pages", ref _sharedPages, 0, maxPage);
        io.List("free pages", _free, (int)maxPage, static (ref StateIo io, ref long page) => io.Long("free page", ref page, 0));
        io.Long("peak pages", ref _peakPages, 0);
        io.Long("shared region", ref _regionBase, -1, maxPage);
        io.Set("touched kernel pages", _kernelTouched, _touched.Length, 0, _touched.Length - 1);
        io.Long("peak footprint", ref _peakFootprint, 0);
        io.LongArray("peak footprint split", ref _peakSplit, 4, 0);
        if (io.IsLoading)
        {
            Array.Clear(_touched);
            Array.Clear(_touchedOfKind);
            foreach (long page in _kernelTouched)
            {
                _touched[page] = true;
                _touchedOfKind[page < _p.KernelTextPages ? 0 : 1]++;
            }
        }
    }
}
