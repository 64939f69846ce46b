using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The monitor's machine memory: per virtual machine a <b>pmap</b> (guest-physical page → machine page) and per
/// machine page a <b>memmap</b> entry (which virtual machines and guest pages map it: the back-maps shootdowns and
/// sharing need). Allocation is NUMA-aware: a page goes to the node that first uses it, or the next with room (in
/// node order). Within a node it keeps the guest page's cache colour (the same offset in the node if free, else a
/// page of the same colour), so a guest sees the cache conflicts it would see on bare hardware and the overhead
/// measured is the monitor's, not a different page layout's. A pure model: <see cref="PageManagerComponent"/> hosts it.
/// </summary>
public sealed class PageManager
{
    private readonly int _nodes;
    private readonly long _pagesPerNode;
    private readonly long _colors;

    // State (checkpointed, in this order).
    private readonly long[] _used;
    private readonly SortedDictionary<int, SortedDictionary<long, long>> _pmaps = [];
    private readonly SortedDictionary<long, List<(int Vm, long GuestPage)>> _memmap = [];
    private long _remoteAllocations;

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

    public long MachinePagesInUse => _memmap.Count;

    public long RemoteAllocations => _remoteAllocations;

    public IReadOnlyDictionary<long, long> Pmap(int vm) => _pmaps.TryGetValue(vm, out var p) ? p : new SortedDictionary<long, long>();

    public IReadOnlyList<(int Vm, long GuestPage)> Memmap(long machinePage) => _memmap.TryGetValue(machinePage, out var m) ? m : [];

    public IEnumerable<int> Vms => _pmaps.Keys;

    /// <summary>The machine page backing (vm, guest page), allocating one on <paramref name="node"/> the first time.</summary>
    public long Translate(int vm, long guestPage, int node)
    {
        if (!_pmaps.TryGetValue(vm, out var pmap))
        {
            pmap = [];
            _pmaps[vm] = pmap;
        }

        if (pmap.TryGetValue(guestPage, out long page))
        {
            return page;
        }

        page = Allocate(node, guestPage);
        pmap[guestPage] = page;
        _memmap[page] = [(vm, guestPage)];
        return page;
    }

    private long Allocate(int node, long guestPage)
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
            if (!_memmap.ContainsKey(preferred))
            {
                return preferred;
            }

            // Same colour first, then any page of the node (its pages are numbered from first).
            long color = guestPage % _colors;
            for (long p = first + color; p < first + _pagesPerNode; p += _colors)
            {
                if (!_memmap.ContainsKey(p))
                {
                    return p;
                }
            }

            for (long p = first; p < first + _pagesPerNode; p++)
            {
                if (!_memmap.ContainsKey(p))
                {
                    return p;
                }
            }
        }

        throw new BadInputException("disco.machine.memory-mb", $"machine memory is full ({_nodes * _pagesPerNode} pages): the virtual machines touch more; give the machine more memory");
    }

    /// <summary>The first way pmaps and memmap disagree, or null when every pmap entry has its back-map and back.</summary>
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
        return backs == entries ? null : $"{entries} pmap entries but {backs} memmap back-maps";
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
            }
        }

        writer.Write(_remoteAllocations);
    }

    /// <summary>The memmap is rebuilt from the pmaps (it is their inverse; saving both could only disagree).</summary>
    public void Load(ref StateReader reader)
    {
        long[] used = reader.ReadLongArray("pages used per node", _nodes);
        if (used.Length != _nodes || used.Any(u => u < 0 || u > _pagesPerNode))
        {
            throw new CorruptStateException("page manager: pages used per node malformed");
        }

        used.CopyTo(_used, 0);
        _pmaps.Clear();
        _memmap.Clear();
        int vms = reader.ReadCount("pmaps", 1 << 16);
        for (int i = 0; i < vms; i++)
        {
            int vm = reader.ReadInt("vm", 0, int.MaxValue);
            var pmap = new SortedDictionary<long, long>();
            int n = reader.ReadCount("pmap entries", (int)Math.Min(int.MaxValue, _nodes * _pagesPerNode));
            for (int k = 0; k < n; k++)
            {
                long g = reader.ReadLong("guest page", 0, long.MaxValue);
                long m = reader.ReadLong("machine page", 0, (_nodes * _pagesPerNode) - 1);
                pmap[g] = m;
                if (!_memmap.TryGetValue(m, out var back))
                {
                    back = [];
                    _memmap[m] = back;
                }

                back.Add((vm, g));
            }

            _pmaps[vm] = pmap;
        }

        _remoteAllocations = reader.ReadLong("remote allocations", 0, long.MaxValue);
    }
}
