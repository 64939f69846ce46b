using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// Hands out machine pages NUMA-aware: from the node that first uses the page, or the next with room (in node
/// order). Within a node it keeps the guest page's cache colour (the same offset in the node if free, else a page of
/// the same colour), so a guest sees the cache conflicts it would see on bare hardware and the overhead measured is
/// the monitor's, not a different page layout's. Remembers what each page it handed out first held (a guest page
/// kind), for the footprint split. The top pages of a node the monitor keeps for itself (<see cref="MonitorMemory"/>)
/// are never handed out.
/// </summary>
public sealed class NodeAllocator : IStateful
{
    private readonly int _nodes;
    private readonly long _pagesPerNode;
    private readonly long _colors;
    private readonly long[] _usable;

    // State (checkpointed, in this order); pages used per node are counted from the pages handed out on load.
    private readonly SortedDictionary<long, int> _kindOf = [];
    private long _remoteAllocations;
    private long _peakPages;
    private long[] _peakOfKind = new long[Kinds];
    private readonly long[] _usedPerNode;
    private readonly long[] _ofKind = new long[Kinds];

    // Guest page kinds (GuestPageKind): what the footprint is split by; then the monitor's NUMA replicas.
    private const int Kinds = PageManager.ReplicaKind + 1;

    /// <param name="colors">Page colours of the cache (L2 bytes per way / page size); 1 for none.</param>
    /// <param name="reservedPerNode">Pages at the top of each node that belong to the monitor (none when null).</param>
    public NodeAllocator(int nodes, long pagesPerNode, long colors = 1, IReadOnlyList<long>? reservedPerNode = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pagesPerNode, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(colors, 1);
        _nodes = nodes;
        _pagesPerNode = pagesPerNode;
        _colors = Math.Min(colors, pagesPerNode);
        _usedPerNode = new long[nodes];
        _usable = new long[nodes];
        for (int n = 0; n < nodes; n++)
        {
            long reserved = reservedPerNode is null || n >= reservedPerNode.Count ? 0 : reservedPerNode[n];
            _usable[n] = pagesPerNode - Math.Clamp(reserved, 0, pagesPerNode);
        }
    }

    public long MachinePages => _nodes * _pagesPerNode;

    /// <summary>Machine pages per node.</summary>
    public long PagesPerNode => _pagesPerNode;

    /// <summary>The node whose memory holds <paramref name="machinePage"/> (consecutive pages per node).</summary>
    public int NodeOf(long machinePage) => (int)(machinePage / _pagesPerNode);

    /// <summary>Machine pages handed out and not freed.</summary>
    public long PagesInUse => _usedPerNode.Sum();

    /// <summary>The most machine pages in use at once.</summary>
    public long PeakPages => Math.Max(_peakPages, PagesInUse);

    /// <summary>Pages that went to another node than the one asking (its memory was full).</summary>
    public long RemoteAllocations => _remoteAllocations;

    /// <summary>True when <paramref name="machinePage"/> is handed out.</summary>
    public bool InUse(long machinePage) => _kindOf.ContainsKey(machinePage);

    /// <summary>What <paramref name="machinePage"/> first held (a guest page kind); 0 when it is free.</summary>
    public int KindOf(long machinePage) => _kindOf.GetValueOrDefault(machinePage);

    /// <summary>Machine pages in use by what they first held; a shared page counts once.</summary>
    public long PagesOfKind(int kind) => _ofKind[kind];

    /// <summary>Machine pages of each kind when the most were in use (the last instant), as <see cref="PagesOfKind"/>.</summary>
    public long PeakPagesOfKind(int kind) => PagesInUse >= _peakPages ? _ofKind[kind] : _peakOfKind[kind];

    /// <summary>A free machine page for <paramref name="guestPage"/>, first used on <paramref name="node"/>.</summary>
    public long Allocate(int node, long guestPage, int kind)
    {
        long page = AllocatePage(node, guestPage);
        _kindOf[page] = kind;
        _ofKind[kind]++;
        KeepPeak();
        return page;
    }

    /// <summary>The page holds nothing any more; false when it was not handed out.</summary>
    public bool Free(long machinePage)
    {
        if (!_kindOf.ContainsKey(machinePage))
        {
            return false;
        }

        KeepPeak();
        _kindOf.Remove(machinePage, out int kind);
        _ofKind[kind]--;
        _usedPerNode[machinePage / _pagesPerNode]--;
        return true;
    }

    /// <summary>
    /// The split at the peak is the one of the last instant at the most pages (a peak lasts until a page goes; the
    /// guest's count follows the same rule, so one VM gives the same split on both sides whatever the order in which
    /// the pages came during the peak).
    /// </summary>
    private void KeepPeak()
    {
        if (PagesInUse >= _peakPages)
        {
            _peakPages = PagesInUse;
            Array.Copy(_ofKind, _peakOfKind, Kinds);
        }
    }

    private long AllocatePage(int node, long guestPage)
    {
        for (int i = 0; i < _nodes; i++)
        {
            int n = (node + i) % _nodes;
            long usable = _usable[n];
            if (_usedPerNode[n] >= usable)
            {
                continue;
            }

            if (i > 0)
            {
                _remoteAllocations++;
            }

            _usedPerNode[n]++;
            long first = n * _pagesPerNode;
            long preferred = first + (guestPage % _pagesPerNode);
            if (preferred < first + usable && !_kindOf.ContainsKey(preferred))
            {
                return preferred;
            }

            // Same colour first, then any page of the node (its pages are numbered from first).
            long color = guestPage % _colors;
            for (long p = first + color; p < first + usable; p += _colors)
            {
                if (!_kindOf.ContainsKey(p))
                {
                    return p;
                }
            }

            for (long p = first; p < first + usable; p++)
            {
                if (!_kindOf.ContainsKey(p))
                {
                    return p;
                }
            }
        }

        throw new BadInputException("disco.machine.memory-mb", $"machine memory is full ({MachinePages} pages): the virtual machines touch more; give the machine more memory");
    }

    public void DeclareState(ref StateIo io)
    {
        long last = MachinePages - 1;
        io.Map("page kinds", _kindOf, (int)Math.Min(int.MaxValue, MachinePages), (ref StateIo io, ref long p) => io.Long("page", ref p, 0, last), static (ref StateIo io, ref int k) => io.Int("kind", ref k, 0, PageManager.ReplicaKind));
        io.Counter("monitor.remote_allocations", ref _remoteAllocations);
        io.Long("peak machine pages", ref _peakPages, 0);
        io.LongArray("peak machine pages by kind", ref _peakOfKind, Kinds, 0);
        if (io.IsLoading)
        {
            Array.Clear(_usedPerNode);
            Array.Clear(_ofKind);
            foreach (var (page, kind) in _kindOf)
            {
                _usedPerNode[page / _pagesPerNode]++;
                _ofKind[kind]++;
            }
        }
    }
}
