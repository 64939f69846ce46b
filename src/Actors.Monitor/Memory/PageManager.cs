using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The monitor's machine memory, coordinating its parts: a <see cref="Memory.Pmap"/> per virtual machine
/// (guest-physical page → machine page), the <see cref="Memory.Memmap"/> (machine page → every guest page mapping
/// it), the copy-on-write <see cref="DiskCache"/> with each VM's private overlay, and the NUMA
/// <see cref="NodeAllocator"/>. A machine page is free again when no pmap maps it and the cache does not hold it.
/// A pure model: <see cref="PageManagerComponent"/> hosts it.
/// </summary>
public sealed class PageManager : IStateful
{
    /// <summary>The allocator's page kind of a replica (after the guest's kinds): the footprint counts replicas apart.</summary>
    public const int ReplicaKind = 4;

    private readonly NodeAllocator _allocator;
    private readonly Memmap _memmap = new();
    private readonly DiskCache _cache;

    // State (checkpointed, in this order, after the allocator's; the memmap is rebuilt from the pmaps on load).
    private readonly SortedDictionary<int, Pmap> _pmaps = [];
    private long _remaps;
    private readonly SortedDictionary<int, long> _sharedReadsOf = [];
    private readonly SortedDictionary<int, long> _copiesOf = [];
    private readonly SortedDictionary<long, long> _pinned = [];

    /// <param name="colors">Page colours of the cache (L2 bytes per way / page size); 1 for none.</param>
    /// <param name="reservedPerNode">The monitor's own pages at the top of each node (<see cref="MonitorMemory"/>), never handed out.</param>
    public PageManager(int nodes, long pagesPerNode, long colors = 1, IReadOnlyList<long>? reservedPerNode = null)
    {
        _allocator = new NodeAllocator(nodes, pagesPerNode, colors, reservedPerNode);
        _cache = new DiskCache(_allocator.MachinePages);
    }

    public NodeAllocator Allocator => _allocator;

    public DiskCache Cache => _cache;

    /// <summary>Machine pages holding something: mapped by a VM, or a disk block in the cache.</summary>
    public long MachinePagesInUse => _allocator.PagesInUse;

    /// <summary>The most machine pages in use at once.</summary>
    public long PeakMachinePages => _allocator.PeakPages;

    public long RemoteAllocations => _allocator.RemoteAllocations;

    /// <summary>Page-sized disk reads served by mapping a cached block (no disk I/O).</summary>
    public long SharedReads => _sharedReadsOf.Values.Sum();

    /// <summary>Copy-on-write faults: a VM wrote a page it shared.</summary>
    public long Copies => _copiesOf.Values.Sum();

    public long CachedBlocks => _cache.CachedBlocks;

    /// <summary>Page reads VM <paramref name="vm"/> had served by mapping a block cached for any VM (no disk I/O).</summary>
    public long SharedReadsOf(int vm) => _sharedReadsOf.GetValueOrDefault(vm);

    /// <summary>Copy-on-write faults VM <paramref name="vm"/> took.</summary>
    public long CopiesOf(int vm) => _copiesOf.GetValueOrDefault(vm);

    /// <summary>Blocks written to a non-persistent disk: kept in memory, private to the writer.</summary>
    public long PrivateWrites => _cache.PrivateWrites;

    /// <summary>Reads a VM's own private modification served (no disk I/O).</summary>
    public long PrivateReads => _cache.PrivateReads;

    /// <summary>Pages moved between VMs by remapping.</summary>
    public long Remaps => _remaps;

    /// <summary>Every private modification: (disk, sector) of the block, the VM that wrote it, the machine page holding it.</summary>
    public IEnumerable<(int Disk, long Sector, int Vm, long Page)> Modifications =>
        _cache.Modifications.Select(m => (m.Block.Disk, m.Block.Sector, m.Vm, m.MachinePage));

    /// <summary>The machine page holding VM <paramref name="vm"/>'s modification of block (disk, sector), if it wrote one.</summary>
    public bool TryModified(int vm, int disk, long sector, out long page) => _cache.TryModified(vm, new DiskBlock(disk, sector), out page);

    /// <summary>VM <paramref name="vm"/>'s pmap: guest page → machine page.</summary>
    public IReadOnlyDictionary<long, long> Pmap(int vm) => _pmaps.TryGetValue(vm, out var p) ? p.Pages : new SortedDictionary<long, long>();

    /// <summary>Every guest page mapping <paramref name="machinePage"/>.</summary>
    public IReadOnlyList<GuestPage> Memmap(long machinePage) => _memmap.Of(machinePage);

    public IEnumerable<int> Vms => _pmaps.Keys;

    /// <summary>The machine page (vm, guest page) maps now, and whether the VM may write it; false when it maps none.</summary>
    public bool TryMapping(int vm, long guestPage, out long machinePage, out bool writable)
    {
        if (_pmaps.TryGetValue(vm, out var p) && p.TryGet(guestPage, out machinePage))
        {
            writable = p.IsWritable(guestPage);
            return true;
        }

        machinePage = -1;
        writable = false;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="page"/> allocated while a VCPU may still reach it through an old entry (a shootdown is
    /// under way): were it freed and handed out again, that VCPU could touch another VM's data.
    /// </summary>
    public void Pin(long page) => _pinned[page] = _pinned.GetValueOrDefault(page) + 1;

    /// <summary>The shootdown is over: the page is free again if nothing else holds it.</summary>
    public void Unpin(long page)
    {
        if (--_pinned[page] == 0)
        {
            _pinned.Remove(page);
            FreeIfUnheld(page);
        }
    }

    public bool IsWritable(int vm, long guestPage) => !_pmaps.TryGetValue(vm, out var p) || p.IsWritable(guestPage);

    public bool IsCached(int disk, long sector) => _cache.IsCached(new DiskBlock(disk, sector));

    /// <summary>True when <paramref name="machinePage"/> holds a cached disk block.</summary>
    public bool IsDiskCachePage(long machinePage) => _cache.IsCachePage(machinePage);

    /// <summary>Machine pages in use by what they first held (a guest page kind); a shared page counts once.</summary>
    public long PagesOfKind(int kind) => _allocator.PagesOfKind(kind);

    /// <summary><see cref="PagesOfKind"/> when the most machine pages were in use.</summary>
    public long PeakPagesOfKind(int kind) => _allocator.PeakPagesOfKind(kind);

    /// <summary>
    /// The guest freed (vm, guest page) [D 4.3]: the VM no longer maps it, and its machine page is free again unless
    /// another VM maps it (shared copy-on-write), the disk cache holds it, or a shootdown still pins it. False when
    /// the VM mapped nothing there (the guest never touched the page).
    /// </summary>
    public bool Release(int vm, long guestPage)
    {
        if (!_pmaps.TryGetValue(vm, out var pmap) || !pmap.Contains(guestPage))
        {
            return false;
        }

        Unmap(new GuestPage(vm, guestPage));
        return true;
    }

    /// <summary>The machine page backing (vm, guest page), allocating a private, writable one on <paramref name="node"/> the first time.</summary>
    public long Translate(int vm, long guestPage, int node, int kind = 0)
    {
        if (_pmaps.TryGetValue(vm, out var pmap) && pmap.TryGet(guestPage, out long page))
        {
            return page;
        }

        page = _allocator.Allocate(node, guestPage, kind);
        Map(new GuestPage(vm, guestPage), page, writable: true);
        return page;
    }

    /// <summary>
    /// Maps disk block (disk, sector) read-only at (vm, guest page): the cached machine page if the block is
    /// cached (true: no disk I/O needed), else a fresh page that now caches the block (false: the caller reads the
    /// disk into it). Whatever the guest page mapped before is dropped.
    /// </summary>
    public (long Page, bool Cached) MapBlock(int vm, long guestPage, int disk, long sector, int node, int kind = 0)
    {
        var block = new DiskBlock(disk, sector);
        var mapper = new GuestPage(vm, guestPage);
        Unmap(mapper);
        if (_cache.TryModified(vm, block, out long own))
        {
            // The VM wrote this block of a non-persistent disk: it reads its own version; nobody else ever does.
            _cache.CountPrivateRead();
            Map(mapper, own, writable: false);
            return (own, true);
        }

        bool cached = _cache.TryCached(block, out long page);
        if (cached)
        {
            _sharedReadsOf[vm] = _sharedReadsOf.GetValueOrDefault(vm) + 1;
        }
        else
        {
            page = _allocator.Allocate(node, guestPage, kind);
            _cache.Cache(block, page);
        }

        Map(mapper, page, writable: false);
        return (page, cached);
    }

    /// <summary>
    /// Maps machine page <paramref name="page"/>, which other VMs map read-only (an NFS server's file page), read-only
    /// at (vm, guest page) as well: the virtual network moves a page by remapping it, copy-on-write, not by copying.
    /// </summary>
    public void ShareInto(int vm, long guestPage, long page)
    {
        var mappers = _memmap.Of(page);
        if (mappers.Count == 0 || mappers.Any(m => IsWritable(m.Vm, m.Page)))
        {
            throw new InvalidOperationException($"machine page {page} cannot be shared: nobody maps it, or somebody may write it");
        }

        var mapper = new GuestPage(vm, guestPage);
        Unmap(mapper);
        Map(mapper, page, writable: false);
        _remaps++;
    }

    /// <summary>
    /// A write to a page (vm, guest page) maps read-only: give the VM a private copy (the others keep the original,
    /// and so does the disk cache). Returns the new machine page.
    /// </summary>
    public long CopyOnWrite(int vm, long guestPage, int node)
    {
        if (!_pmaps.TryGetValue(vm, out var pmap) || !pmap.TryGet(guestPage, out long shared) || pmap.IsWritable(guestPage))
        {
            throw new InvalidOperationException($"copy-on-write of VM {vm} guest page {guestPage}, which is not mapped read-only");
        }

        int kind = _allocator.KindOf(shared);
        var mapper = new GuestPage(vm, guestPage);
        Unmap(mapper);
        long page = _allocator.Allocate(node, guestPage, kind);
        Map(mapper, page, writable: true);
        _copiesOf[vm] = _copiesOf.GetValueOrDefault(vm) + 1;
        return page;
    }

    /// <summary>
    /// Page migration [D 4.2.3]: whether machine page <paramref name="page"/> can move, and what maps it. It can when
    /// exactly one guest page maps it writable (a VM's private page) and the disk cache does not hold it; pages
    /// shared between VMs or read-only are what replication is for.
    /// </summary>
    public bool TryMovable(long page, out GuestPage mapper)
    {
        if (_allocator.KindOf(page) != (int)Guest.GuestPageKind.Process)
        {
            // Kernel data holds the SMP guest's lock words (the one data the caches carry); text is read-only.
            mapper = default;
            return false;
        }

        var mappers = _memmap.Of(page);
        mapper = mappers.Count == 1 ? mappers[0] : default;
        return mappers.Count == 1 && !_cache.Holds(page) && !_pinned.ContainsKey(page)
            && _pmaps.TryGetValue(mapper.Vm, out var pmap) && pmap.IsWritable(mapper.Page);
    }

    /// <summary>
    /// Page replication [D 4.2.3]: whether machine page <paramref name="page"/> can be copied to other nodes, one guest
    /// page that maps it and whether that mapping is writable (a first replica downgrades it). It can when no shootdown
    /// holds it and either one guest page maps it (a page of one VM read by its VCPUs on several nodes: process
    /// memory, kernel text and kernel data, a file's block), writable only when the disk cache does not hold it, or
    /// several guest pages map it, every one read-only (copy-on-write sharing between VMs or within one: a shared
    /// disk block, the kernel text every VM boots from). The write count keeps write-shared pages out (the policy);
    /// a lock word of the kernel's data is safe in a replicated page: a lock operation is a store, which traps on the
    /// read-only mapping and collapses the replicas before the word is read.
    /// </summary>
    public bool TryReplicable(long page, out GuestPage mapper, out bool writable)
    {
        var mappers = _memmap.Of(page);
        mapper = mappers.Count > 0 ? mappers[0] : default;
        writable = false;
        if (mappers.Count == 0 || _pinned.ContainsKey(page))
        {
            return false;
        }

        if (mappers.Count == 1)
        {
            return TryMapping(mapper.Vm, mapper.Page, out _, out writable) && !(writable && _cache.Holds(page));
        }

        return MappedReadOnly(page);
    }

    /// <summary>True when some guest page maps <paramref name="page"/> and every one that does maps it read-only.</summary>
    public bool MappedReadOnly(long page)
    {
        var mappers = _memmap.Of(page);
        if (mappers.Count == 0)
        {
            return false;
        }

        for (int i = 0; i < mappers.Count; i++)
        {
            if (!TryMapping(mappers[i].Vm, mappers[i].Page, out long now, out bool w) || now != page || w)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the disk cache holds <paramref name="page"/> (a block, or a VM's modification): a write to it copies.</summary>
    public bool IsCacheHeld(long page) => _cache.Holds(page);

    /// <summary>A replica page for <paramref name="guestPage"/> on <paramref name="node"/> (or the next node with room), pinned: held by the replica table, not by a pmap.</summary>
    public long AllocateReplica(long guestPage, int node)
    {
        long replica = _allocator.Allocate(node, guestPage, ReplicaKind);
        Pin(replica);
        return replica;
    }

    /// <summary>The page is replicated: nobody may write it in place until its replicas collapse.</summary>
    public void MakeReadOnly(GuestPage mapper) => _pmaps[mapper.Vm].MakeReadOnly(mapper.Page);

    /// <summary>The page's replicas collapsed: the VM may write it again.</summary>
    public void MakeWritable(GuestPage mapper) => _pmaps[mapper.Vm].MakeWritable(mapper.Page);

    /// <summary>A new machine page on <paramref name="node"/> for what <paramref name="page"/> holds (same kind, same colour as the guest page).</summary>
    public long AllocateLike(long page, long guestPage, int node) => _allocator.Allocate(node, guestPage, _allocator.KindOf(page));

    /// <summary>
    /// The copy is done: <paramref name="mapper"/> maps <paramref name="to"/> instead of <paramref name="from"/>, which
    /// is free again (nobody can reach it: its shootdown was acknowledged). False, and nothing changed, when the
    /// mapping moved meanwhile (a disk transfer or a copy-on-write replaced it).
    /// </summary>
    public bool Remap(GuestPage mapper, long from, long to)
    {
        if (!TryMapping(mapper.Vm, mapper.Page, out long now, out bool writable) || now != from)
        {
            return false;
        }

        Unmap(mapper);
        Map(mapper, to, writable);
        return true;
    }

    /// <summary>
    /// VM <paramref name="vm"/> wrote (vm, guest page) to block (disk, sector). The page turns read-only (the
    /// guest's next store to it copies), and holds the block from now on: on a <paramref name="persistent"/> disk as
    /// the cached block (the disk gets the same data), else as the VM's private modification, which only its own
    /// reads of the block see. Returns the machine page written.
    /// </summary>
    public long WriteBlock(int vm, long guestPage, int disk, long sector, bool persistent)
    {
        if (!_pmaps.TryGetValue(vm, out var pmap) || !pmap.TryGet(guestPage, out long page))
        {
            throw new InvalidOperationException($"VM {vm} wrote guest page {guestPage} to disk, but it maps no machine page");
        }

        var block = new DiskBlock(disk, sector);
        if (_cache.TryBlockIn(page, out var held) && held != block)
        {
            throw new InvalidOperationException($"VM {vm} wrote machine page {page}, the cached {held}, to another block");
        }

        pmap.MakeReadOnly(guestPage);
        long released = persistent ? _cache.Cache(block, page) : _cache.KeepPrivate(vm, block, page);
        if (released >= 0)
        {
            FreeIfUnheld(released);
        }

        return page;
    }

    private void Map(GuestPage mapper, long page, bool writable)
    {
        if (!_pmaps.TryGetValue(mapper.Vm, out var pmap))
        {
            pmap = new Pmap(_allocator.MachinePages);
            _pmaps[mapper.Vm] = pmap;
        }

        pmap.Map(mapper.Page, page, writable);
        _memmap.Add(page, mapper);
    }

    /// <summary>Drops a guest page's mapping; a machine page nobody maps and the cache does not hold is free again.</summary>
    private void Unmap(GuestPage mapper)
    {
        if (_pmaps.TryGetValue(mapper.Vm, out var pmap) && pmap.Unmap(mapper.Page, out long page) && _memmap.Remove(page, mapper))
        {
            FreeIfUnheld(page);
        }
    }

    private void FreeIfUnheld(long page)
    {
        if (!_memmap.IsMapped(page) && !_cache.Holds(page) && !_pinned.ContainsKey(page))
        {
            _allocator.Free(page);
        }
    }

    /// <summary>The first way pmaps, memmap, cache and counts disagree, or null when they are consistent.</summary>
    public string? Disagreement()
    {
        long entries = 0;
        foreach (var (vm, pmap) in _pmaps)
        {
            foreach (var (guestPage, page) in pmap.Pages)
            {
                entries++;
                var mappers = _memmap.Of(page);
                if (!mappers.Contains(new GuestPage(vm, guestPage)))
                {
                    return $"pmap of VM {vm}: guest page {guestPage} → machine page {page}, which memmap does not list";
                }

                if (mappers.Count > 1 && pmap.IsWritable(guestPage))
                {
                    return $"machine page {page} is shared by {mappers.Count} guest pages but VM {vm} may write it";
                }
            }
        }

        foreach (var (page, mappers) in _memmap.Entries)
        {
            foreach (var (vm, guestPage) in mappers)
            {
                if (!_pmaps.TryGetValue(vm, out var pmap) || !pmap.TryGet(guestPage, out long p) || p != page)
                {
                    return $"memmap of machine page {page}: VM {vm} guest page {guestPage}, which that pmap maps elsewhere";
                }
            }
        }

        if (_memmap.Mappings != entries)
        {
            return $"{entries} pmap entries but {_memmap.Mappings} memmap back-maps";
        }

        foreach (var (block, vm, page) in _cache.Modifications)
        {
            var other = _memmap.Of(page).FirstOrDefault(h => h.Vm != vm, new GuestPage(-1, -1));
            if (other.Vm >= 0)
            {
                return $"VM {vm}'s modification of {block} (machine page {page}) is mapped by VM {other.Vm}";
            }
        }

        long inUse = _memmap.MappedPages + _cache.HeldPages.Count(p => !_memmap.IsMapped(p)) + _pinned.Keys.Count(p => !_memmap.IsMapped(p) && !_cache.Holds(p));
        return inUse == MachinePagesInUse ? null : $"{inUse} machine pages hold something but {MachinePagesInUse} are counted";
    }

    public void DeclareState(ref StateIo io)
    {
        long machinePages = _allocator.MachinePages;
        io.Part(_allocator);
        io.Map("pmaps", _pmaps, 1 << 16, VmIo, (ref StateIo io, ref Pmap p) =>
        {
            p ??= new Pmap(machinePages);
            io.Part(p);
        });
        io.Part(_cache);
        io.Long("remaps", ref _remaps, 0);
        io.Map("shared reads by VM", _sharedReadsOf, 1 << 16, VmIo, CountIo);
        io.Map("copies by VM", _copiesOf, 1 << 16, VmIo, CountIo);
        io.LongMap("pinned pages", _pinned, 1 << 20, 0, machinePages - 1, 1, long.MaxValue);
        if (io.IsLoading)
        {
            _memmap.Clear();
            foreach (var (vm, pmap) in _pmaps)
            {
                foreach (var (guestPage, page) in pmap.Pages)
                {
                    _memmap.Add(page, new GuestPage(vm, guestPage));
                }
            }
        }
    }

    private static void VmIo(ref StateIo io, ref int vm) => io.Int("vm", ref vm, 0, int.MaxValue);

    private static void CountIo(ref StateIo io, ref long count) => io.Long("count", ref count, 0);
}
