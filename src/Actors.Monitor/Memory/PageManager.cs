using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The monitor's machine memory: per virtual machine a <b>pmap</b> (guest-physical page → machine page, writable or
/// read-only) and per machine page a <b>memmap</b> entry (which virtual machines and guest pages map it: the
/// back-maps shootdowns and sharing need), and the global copy-on-write <b>disk cache</b> [D 4.2.4]: disk blocks held
/// in machine pages, mapped read-only into every VM that reads them; a write to one breaks the sharing for the
/// writer. Allocation is NUMA-aware: a page goes to the node that first uses it, or the next with room (in node
/// order). Within a node it keeps the guest page's cache colour (the same offset in the node if free, else a page of
/// the same colour), so a guest sees the cache conflicts it would see on bare hardware and the overhead measured is
/// the monitor's, not a different page layout's. A pure model: <see cref="PageManagerComponent"/> hosts it.
/// </summary>
public sealed class PageManager
{
    private readonly int _nodes;
    private readonly long _pagesPerNode;
    private readonly long _colors;

    // State (checkpointed, in this order; the memmap and the cache's reverse index are rebuilt on load).
    private readonly long[] _used;
    private readonly SortedDictionary<int, SortedDictionary<long, long>> _pmaps = [];
    private readonly SortedSet<(int Vm, long GuestPage)> _readOnly = [];
    private readonly SortedDictionary<long, long> _diskCache = [];
    private readonly SortedDictionary<long, List<(int Vm, long GuestPage)>> _memmap = [];
    private readonly Dictionary<long, long> _cachedBlockOf = [];
    private readonly SortedDictionary<long, int> _kindOf = [];
    private readonly SortedDictionary<(long Block, int Vm), long> _modified = [];
    private readonly Dictionary<long, (long Block, int Vm)> _modifiedOf = [];
    private long _remoteAllocations;
    private long _remaps;
    private long _privateWrites;
    private long _privateReads;
    private long _peakPages;
    private readonly SortedDictionary<int, long[]> _perVm = [];

    /// <param name="colors">Page colours of the cache (L2 bytes per way / page size); 1 for none.</param>
    public PageManager(int nodes, long pagesPerNode, long colors = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pagesPerNode, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(colors, 1);
        _nodes = nodes;
        _pagesPerNode = pagesPerNode;
        _colors = Math.Min(colors, pagesPerNode);
        _used = new long[nodes];
    }

    /// <summary>Machine pages holding something: mapped by a VM, or a disk block in the cache.</summary>
    public long MachinePagesInUse => _used.Sum();

    /// <summary>The most machine pages in use at once.</summary>
    public long PeakMachinePages => Math.Max(_peakPages, MachinePagesInUse);

    public long RemoteAllocations => _remoteAllocations;

    /// <summary>Page-sized disk reads served by mapping a cached block (no disk I/O).</summary>
    public long SharedReads => _perVm.Values.Sum(c => c[VmSharedReads]);

    /// <summary>Copy-on-write faults: a VM wrote a page it shared.</summary>
    public long Copies => _perVm.Values.Sum(c => c[VmCopies]);

    public long CachedBlocks => _diskCache.Count;

    private const int VmSharedReads = 0;
    private const int VmCopies = 1;

    /// <summary>Page reads VM <paramref name="vm"/> had served by mapping a block cached for any VM (no disk I/O).</summary>
    public long SharedReadsOf(int vm) => _perVm.TryGetValue(vm, out var c) ? c[VmSharedReads] : 0;

    /// <summary>Copy-on-write faults VM <paramref name="vm"/> took.</summary>
    public long CopiesOf(int vm) => _perVm.TryGetValue(vm, out var c) ? c[VmCopies] : 0;

    private void CountFor(int vm, int counter)
    {
        if (!_perVm.TryGetValue(vm, out var c))
        {
            c = new long[2];
            _perVm[vm] = c;
        }

        c[counter]++;
    }

    /// <summary>Blocks written to a non-persistent disk: kept in memory, private to the writer.</summary>
    public long PrivateWrites => _privateWrites;

    /// <summary>Reads a VM's own private modification served (no disk I/O).</summary>
    public long PrivateReads => _privateReads;

    /// <summary>Every private modification: (disk, sector) of the block, the VM that wrote it, the machine page holding it.</summary>
    public IEnumerable<(int Disk, long Sector, int Vm, long Page)> Modifications =>
        _modified.Select(m => (BlockOf(m.Key.Block).Disk, BlockOf(m.Key.Block).Sector, m.Key.Vm, m.Value));

    /// <summary>The machine page holding VM <paramref name="vm"/>'s modification of block (disk, sector), if it wrote one.</summary>
    public bool TryModified(int vm, int disk, long sector, out long page) => _modified.TryGetValue((BlockKey(disk, sector), vm), out page);

    public IReadOnlyDictionary<long, long> Pmap(int vm) => _pmaps.TryGetValue(vm, out var p) ? p : new SortedDictionary<long, long>();

    public IReadOnlyList<(int Vm, long GuestPage)> Memmap(long machinePage) => _memmap.TryGetValue(machinePage, out var m) ? m : [];

    public IEnumerable<int> Vms => _pmaps.Keys;

    public bool IsWritable(int vm, long guestPage) => !_readOnly.Contains((vm, guestPage));

    /// <summary>The cache key of a disk block: physical disk and sector.</summary>
    public static long BlockKey(int disk, long sector) => ((long)disk << 48) | sector;

    private static (int Disk, long Sector) BlockOf(long key) => ((int)(key >> 48), key & ((1L << 48) - 1));

    public bool IsCached(int disk, long sector) => _diskCache.ContainsKey(BlockKey(disk, sector));

    /// <summary>True when <paramref name="machinePage"/> holds a cached disk block.</summary>
    public bool IsDiskCachePage(long machinePage) => _cachedBlockOf.ContainsKey(machinePage);

    /// <summary>The machine page backing (vm, guest page), allocating a private, writable one on <paramref name="node"/> the first time.</summary>
    public long Translate(int vm, long guestPage, int node, int kind = 0)
    {
        if (Pmap(vm).TryGetValue(guestPage, out long page))
        {
            return page;
        }

        page = Allocate(node, guestPage, kind);
        Map(vm, guestPage, page, writable: true);
        return page;
    }

    /// <summary>
    /// Maps disk block (disk, sector) read-only at (vm, guest page): the cached machine page if the block is
    /// cached (true: no disk I/O needed), else a fresh page that now caches the block (false: the caller reads the
    /// disk into it). Whatever the guest page mapped before is dropped.
    /// </summary>
    public (long Page, bool Cached) MapBlock(int vm, long guestPage, int disk, long sector, int node, int kind = 0)
    {
        long key = BlockKey(disk, sector);
        Unmap(vm, guestPage);
        if (_modified.TryGetValue((key, vm), out long own))
        {
            // The VM wrote this block of a non-persistent disk: it reads its own version; nobody else ever does.
            _privateReads++;
            Map(vm, guestPage, own, writable: false);
            return (own, true);
        }

        bool cached = _diskCache.TryGetValue(key, out long page);
        if (cached)
        {
            CountFor(vm, VmSharedReads);
        }
        else
        {
            page = Allocate(node, guestPage, kind);
            _diskCache[key] = page;
            _cachedBlockOf[page] = key;
        }

        Map(vm, guestPage, page, writable: false);
        return (page, cached);
    }

    /// <summary>
    /// Maps machine page <paramref name="page"/>, which other VMs map read-only (an NFS server's file page), read-only
    /// at (vm, guest page) as well: the virtual network moves a page by remapping it, copy-on-write, not by copying.
    /// </summary>
    public void ShareInto(int vm, long guestPage, long page)
    {
        if (!_memmap.TryGetValue(page, out var back) || back.Exists(m => IsWritable(m.Vm, m.GuestPage)))
        {
            throw new InvalidOperationException($"machine page {page} cannot be shared: nobody maps it, or somebody may write it");
        }

        Unmap(vm, guestPage);
        Map(vm, guestPage, page, writable: false);
        _remaps++;
    }

    /// <summary>Pages moved between VMs by remapping.</summary>
    public long Remaps => _remaps;

    /// <summary>
    /// A write to a page (vm, guest page) maps read-only: give the VM a private copy (the others keep the original,
    /// and so does the disk cache). Returns the new machine page.
    /// </summary>
    public long CopyOnWrite(int vm, long guestPage, int node)
    {
        if (!Pmap(vm).ContainsKey(guestPage) || IsWritable(vm, guestPage))
        {
            throw new InvalidOperationException($"copy-on-write of VM {vm} guest page {guestPage}, which is not mapped read-only");
        }

        int kind = _kindOf.GetValueOrDefault(Pmap(vm)[guestPage]);
        Unmap(vm, guestPage);
        long page = Allocate(node, guestPage, kind);
        Map(vm, guestPage, page, writable: true);
        CountFor(vm, VmCopies);
        return page;
    }

    private void Map(int vm, long guestPage, long page, bool writable)
    {
        if (!_pmaps.TryGetValue(vm, out var pmap))
        {
            pmap = [];
            _pmaps[vm] = pmap;
        }

        pmap[guestPage] = page;
        if (!writable)
        {
            _readOnly.Add((vm, guestPage));
        }

        if (!_memmap.TryGetValue(page, out var back))
        {
            back = [];
            _memmap[page] = back;
        }

        back.Add((vm, guestPage));
    }

    /// <summary>Drops (vm, guest page)'s mapping; a machine page nobody maps and the cache does not hold is free again.</summary>
    private void Unmap(int vm, long guestPage)
    {
        if (!_pmaps.TryGetValue(vm, out var pmap) || !pmap.Remove(guestPage, out long page))
        {
            return;
        }

        _readOnly.Remove((vm, guestPage));
        var back = _memmap[page];
        back.Remove((vm, guestPage));
        if (back.Count == 0)
        {
            _memmap.Remove(page);
            FreeIfUnheld(page);
        }
    }

    private bool InUse(long page) => _memmap.ContainsKey(page) || _cachedBlockOf.ContainsKey(page) || _modifiedOf.ContainsKey(page);

    /// <summary>A page nobody maps, the cache does not hold and no VM keeps as a modification is free again.</summary>
    private void FreeIfUnheld(long page)
    {
        if (!InUse(page) && _kindOf.Remove(page))
        {
            _used[page / _pagesPerNode]--;
        }
    }

    /// <summary>
    /// VM <paramref name="vm"/> wrote (vm, guest page) to block (disk, sector). The page turns read-only (the
    /// guest's next store to it copies), and holds the block from now on: on a <paramref name="persistent"/> disk as
    /// the cached block (the disk gets the same data), else as the VM's private modification, which only its own
    /// reads of the block see. Returns the machine page written.
    /// </summary>
    public long WriteBlock(int vm, long guestPage, int disk, long sector, bool persistent)
    {
        if (!Pmap(vm).TryGetValue(guestPage, out long page))
        {
            throw new InvalidOperationException($"VM {vm} wrote guest page {guestPage} to disk, but it maps no machine page");
        }

        long key = BlockKey(disk, sector);
        if (_cachedBlockOf.TryGetValue(page, out long held) && held != key)
        {
            throw new InvalidOperationException($"VM {vm} wrote machine page {page}, the cached block {BlockOf(held).Sector} of disk {BlockOf(held).Disk}, to another block");
        }

        _readOnly.Add((vm, guestPage));
        if (persistent)
        {
            if (_diskCache.TryGetValue(key, out long old) && old != page)
            {
                _cachedBlockOf.Remove(old);
                FreeIfUnheld(old);
            }

            _diskCache[key] = page;
            _cachedBlockOf[page] = key;
            return page;
        }

        if (_modified.TryGetValue((key, vm), out long previous) && previous != page)
        {
            _modifiedOf.Remove(previous);
            FreeIfUnheld(previous);
        }

        if (_modifiedOf.TryGetValue(page, out var other) && other != (key, vm))
        {
            throw new InvalidOperationException($"VM {vm} wrote machine page {page}, its modification of another block, to block {sector} of disk {disk}");
        }

        _modified[(key, vm)] = page;
        _modifiedOf[page] = (key, vm);
        _privateWrites++;
        return page;
    }

    /// <summary>Machine pages in use by what they first held (a guest page kind); a shared page counts once.</summary>
    public long PagesOfKind(int kind) => _kindOf.Values.Count(k => k == kind);

    private long Allocate(int node, long guestPage, int kind)
    {
        long page = AllocatePage(node, guestPage);
        _kindOf[page] = kind;
        _peakPages = Math.Max(_peakPages, MachinePagesInUse);
        return page;
    }

    private long AllocatePage(int node, long guestPage)
    {
        for (int i = 0; i < _nodes; i++)
        {
            int n = (node + i) % _nodes;
            if (_used[n] >= _pagesPerNode)
            {
                continue;
            }

            if (i > 0)
            {
                _remoteAllocations++;
            }

            _used[n]++;
            long first = n * _pagesPerNode;
            long preferred = first + (guestPage % _pagesPerNode);
            if (!InUse(preferred))
            {
                return preferred;
            }

            // Same colour first, then any page of the node (its pages are numbered from first).
            long color = guestPage % _colors;
            for (long p = first + color; p < first + _pagesPerNode; p += _colors)
            {
                if (!InUse(p))
                {
                    return p;
                }
            }

            for (long p = first; p < first + _pagesPerNode; p++)
            {
                if (!InUse(p))
                {
                    return p;
                }
            }
        }

        throw new BadInputException("disco.machine.memory-mb", $"machine memory is full ({_nodes * _pagesPerNode} pages): the virtual machines touch more; give the machine more memory");
    }

    /// <summary>The first way pmaps, memmap, cache and counts disagree, or null when they are consistent.</summary>
    public string? Disagreement()
    {
        long entries = 0;
        foreach (var (vm, pmap) in _pmaps)
        {
            foreach (var (guestPage, page) in pmap)
            {
                entries++;
                if (!_memmap.TryGetValue(page, out var back) || !back.Contains((vm, guestPage)))
                {
                    return $"pmap of VM {vm}: guest page {guestPage} → machine page {page}, which memmap does not list";
                }

                if (back.Count > 1 && IsWritable(vm, guestPage))
                {
                    return $"machine page {page} is shared by {back.Count} guest pages but VM {vm} may write it";
                }
            }
        }

        foreach (var (page, back) in _memmap)
        {
            foreach (var (vm, guestPage) in back)
            {
                if (!_pmaps.TryGetValue(vm, out var pmap) || !pmap.TryGetValue(guestPage, out long p) || p != page)
                {
                    return $"memmap of machine page {page}: VM {vm} guest page {guestPage}, which that pmap maps elsewhere";
                }
            }
        }

        long backs = _memmap.Values.Sum(b => (long)b.Count);
        if (backs != entries)
        {
            return $"{entries} pmap entries but {backs} memmap back-maps";
        }

        foreach (var ((block, vm), page) in _modified)
        {
            if (_memmap.TryGetValue(page, out var holders) && holders.Exists(h => h.Vm != vm))
            {
                return $"VM {vm}'s modification of block {BlockOf(block).Sector} (machine page {page}) is mapped by VM {holders.First(h => h.Vm != vm).Vm}";
            }
        }

        long inUse = _memmap.Count + _cachedBlockOf.Keys.Concat(_modifiedOf.Keys).Distinct().Count(p => !_memmap.ContainsKey(p));
        return inUse == MachinePagesInUse ? null : $"{inUse} machine pages hold something but {MachinePagesInUse} are counted";
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write(_used);
        writer.WriteCount(_pmaps.Count);
        foreach (var (vm, pmap) in _pmaps)
        {
            writer.Write(vm);
            writer.WriteCount(pmap.Count);
            foreach (var (g, m) in pmap)
            {
                writer.Write(g);
                writer.Write(m);
                writer.Write(IsWritable(vm, g));
            }
        }

        writer.WriteCount(_diskCache.Count);
        foreach (var (key, page) in _diskCache)
        {
            writer.Write(key);
            writer.Write(page);
        }

        writer.WriteCount(_kindOf.Count);
        foreach (var (page, kind) in _kindOf)
        {
            writer.Write(page);
            writer.Write(kind);
        }

        writer.WriteCount(_modified.Count);
        foreach (var ((block, vm), page) in _modified)
        {
            writer.Write(block);
            writer.Write(vm);
            writer.Write(page);
        }

        writer.Write(_remoteAllocations);
        writer.Write(_remaps);
        writer.Write(_privateWrites);
        writer.Write(_privateReads);
        writer.Write(_peakPages);
        writer.WriteCount(_perVm.Count);
        foreach (var (vm, counts) in _perVm)
        {
            writer.Write(vm);
            writer.Write(counts);
        }
    }

    /// <summary>The memmap is rebuilt from the pmaps (it is their inverse; saving both could only disagree).</summary>
    public void Load(ref StateReader reader)
    {
        long[] used = reader.ReadLongArray("pages used per node", _nodes);
        if (used.Length != _nodes || used.Any(u => u < 0 || u > _pagesPerNode))
        {
            throw new CorruptStateException("page manager: pages used per node malformed");
        }

        _pmaps.Clear();
        _readOnly.Clear();
        _memmap.Clear();
        _diskCache.Clear();
        _cachedBlockOf.Clear();
        long total = _nodes * _pagesPerNode;
        int vms = reader.ReadCount("pmaps", 1 << 16);
        for (int i = 0; i < vms; i++)
        {
            int vm = reader.ReadInt("vm", 0, int.MaxValue);
            int n = reader.ReadCount("pmap entries", (int)Math.Min(int.MaxValue, total));
            for (int k = 0; k < n; k++)
            {
                long g = reader.ReadLong("guest page", 0, long.MaxValue);
                long m = reader.ReadLong("machine page", 0, total - 1);
                Map(vm, g, m, reader.ReadBool("writable"));
            }
        }

        int cached = reader.ReadCount("disk cache", (int)Math.Min(int.MaxValue, total));
        for (int i = 0; i < cached; i++)
        {
            long key = reader.ReadLong("block", 0, long.MaxValue);
            long page = reader.ReadLong("cache page", 0, total - 1);
            _diskCache[key] = page;
            _cachedBlockOf[page] = key;
        }

        _kindOf.Clear();
        int kinds = reader.ReadCount("page kinds", (int)Math.Min(int.MaxValue, total));
        for (int i = 0; i < kinds; i++)
        {
            long page = reader.ReadLong("page", 0, total - 1);
            _kindOf[page] = reader.ReadInt("kind", 0, 3);
        }

        _modified.Clear();
        _modifiedOf.Clear();
        int modified = reader.ReadCount("private modifications", (int)Math.Min(int.MaxValue, total));
        for (int i = 0; i < modified; i++)
        {
            long block = reader.ReadLong("modified block", 0, long.MaxValue);
            int vm = reader.ReadInt("modifying vm", 0, int.MaxValue);
            long page = reader.ReadLong("modification page", 0, total - 1);
            _modified[(block, vm)] = page;
            _modifiedOf[page] = (block, vm);
        }

        used.CopyTo(_used, 0);
        _remoteAllocations = reader.ReadLong("remote allocations", 0, long.MaxValue);
        _remaps = reader.ReadLong("remaps", 0, long.MaxValue);
        _privateWrites = reader.ReadLong("private writes", 0, long.MaxValue);
        _privateReads = reader.ReadLong("private reads", 0, long.MaxValue);
        _peakPages = reader.ReadLong("peak machine pages", 0, long.MaxValue);
        _perVm.Clear();
        int perVm = reader.ReadCount("per-VM counters", 1 << 16);
        for (int i = 0; i < perVm; i++)
        {
            int vm = reader.ReadInt("vm", 0, int.MaxValue);
            var counts = new long[2];
            reader.ReadLongsInto("per-VM counts", counts);
            _perVm[vm] = counts;
        }
    }
}
