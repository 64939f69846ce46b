using Disco.Actors.Engine.State;
using Disco.Actors.Monitor.Memory;

namespace Disco.Actors.Monitor.Numa;

/// <summary>
/// The page manager's replicas [D 4.2.3, V]: per replica page, the master it copies (the pmap keeps the master;
/// a pmap fill from a node with a replica is answered with the replica), the replications under way (the copy to the
/// hot node, the requests from that node that wait for it), and the collapses whose shootdown is under way. A pure
/// model (checkpointed: a resume mid-replication continues it).
/// </summary>
public sealed class Replicas : IStateful
{
    /// <summary>
    /// Replications share the migrations' copy path and its one id field: their ids start here, far above any
    /// migration's, so a copy's completion says which it was.
    /// </summary>
    public const long IdBase = 1L << 40;

    private readonly long _pagesPerNode;

    // Master → node → replica: derived from _masterOf (rebuilt on load, never checkpointed).
    private readonly Dictionary<long, SortedDictionary<int, long>> _byMaster = [];

    // State (checkpointed, in this order).
    private readonly SortedDictionary<long, long> _masterOf = [];
    private readonly SortedDictionary<long, Copy> _copies = [];
    private readonly SortedDictionary<long, long> _collapsing = [];
    private long _next = IdBase;
    private long _done;
    private long _aborted;
    private long _unreplicable;
    private long _shootdownPs;
    private long _copyPs;
    private long _collapses;
    private long _collapsePs;
    private long _freed;

    /// <param name="pagesPerNode">Machine pages per node (consecutive per node: a replica's node).</param>
    public Replicas(long pagesPerNode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pagesPerNode, 1);
        _pagesPerNode = pagesPerNode;
    }

    /// <summary>Replications under way.</summary>
    public int Count => _copies.Count;

    /// <summary>Replications done.</summary>
    public long Done => _done;

    /// <summary>Collapses done or under way.</summary>
    public long Collapses => _collapses;

    /// <summary>Replica pages in the table now.</summary>
    public int Live => _masterOf.Count;

    /// <summary>Every replica page with its master, in replica order.</summary>
    public IEnumerable<(long Replica, long Master)> Entries => _masterOf.Select(kv => (kv.Key, kv.Value));

    /// <summary>True when <paramref name="master"/> has a replica, or a replication of it is under way (and was not given up).</summary>
    public bool Has(long master) => _byMaster.ContainsKey(master) || _copies.Values.Any(c => c.Master == master && !c.Aborted);

    /// <summary>A replication of <paramref name="master"/> is under way, given up or not (its copy still runs).</summary>
    public bool Copying(long master) => _copies.Values.Any(c => c.Master == master);

    public bool TryReplicaOn(long master, int node, out long replica)
    {
        replica = -1;
        return _byMaster.TryGetValue(master, out var nodes) && nodes.TryGetValue(node, out replica);
    }

    public bool TryMasterOf(long replica, out long master) => _masterOf.TryGetValue(replica, out master);

    /// <summary>The nodes with a replica of <paramref name="master"/>.</summary>
    public IReadOnlyCollection<int> NodesOf(long master) => _byMaster.TryGetValue(master, out var nodes) ? nodes.Keys : [];

    /// <summary>The policy chose to replicate a page that cannot be (mapped writable by one of several mappers, busy, its node full).</summary>
    public void CountUnreplicable() => _unreplicable++;

    public long Start(GuestPage mapper, long master, long replica, int node, long nowPs)
    {
        long id = _next++;
        _copies[id] = new Copy { Vm = mapper.Vm, GuestPage = mapper.Page, Master = master, Replica = replica, Node = node, StartPs = nowPs };
        return id;
    }

    /// <summary>The replication under way of <paramref name="master"/> to <paramref name="node"/>, if any and not given up.</summary>
    public bool TryFindFor(long master, int node, out long id)
    {
        foreach (var (k, c) in _copies)
        {
            if (c.Master == master && c.Node == node && !c.Aborted)
            {
                id = k;
                return true;
            }
        }

        id = -1;
        return false;
    }

    /// <summary>A pmap fill from the replica's node waits for the replica.</summary>
    public void Hold(long id, MachinePageRequest request) => _copies[id].Held.Add(request);

    /// <summary>Replication <paramref name="id"/>: what is copied where, whether it was given up, and the requests that wait for it.</summary>
    public (GuestPage Mapper, long Master, long Replica, bool Aborted, List<MachinePageRequest> Held) Peek(long id) =>
        _copies.TryGetValue(id, out var c)
            ? (new GuestPage(c.Vm, c.GuestPage), c.Master, c.Replica, c.Aborted, c.Held)
            : throw new InvalidOperationException($"replication {id}: a copy done for no replication under way");

    /// <summary>
    /// Replication <paramref name="id"/>'s copy is done (it took <paramref name="copyPs"/>; the rest since the start
    /// was the downgrade's shootdown). <paramref name="installed"/>: the replica now serves its node; else it was given up.
    /// </summary>
    public void Finish(long id, long copyPs, long nowPs, bool installed)
    {
        if (!_copies.Remove(id, out var c))
        {
            throw new InvalidOperationException($"replication {id}: a copy done for no replication under way");
        }

        if (!installed)
        {
            _aborted++;
            return;
        }

        _done++;
        _copyPs += copyPs;
        _shootdownPs += Math.Max(0, nowPs - c.StartPs - copyPs);
        Add(c.Replica, c.Master);
    }

    /// <summary>
    /// A write (or a mapping change) collapses <paramref name="master"/>'s replicas: they leave the table (returned: the
    /// caller shoots them down and frees them after) and replications under way are given up.
    /// </summary>
    public long[] Collapse(long master)
    {
        foreach (var c in _copies.Values.Where(c => c.Master == master))
        {
            c.Aborted = true;
        }

        if (!_byMaster.Remove(master, out var nodes))
        {
            return [];
        }

        long[] replicas = [.. nodes.Values];
        foreach (long r in replicas)
        {
            _masterOf.Remove(r);
        }

        _freed += replicas.Length;
        return replicas;
    }

    /// <summary>Collapse shootdown <paramref name="shootdown"/> started (its time to the last acknowledgement is the collapse's cost).</summary>
    public void CollapseStarted(long shootdown, long nowPs)
    {
        _collapses++;
        _collapsing[shootdown] = nowPs;
    }

    /// <summary>Shootdown <paramref name="shootdown"/> is over; when it was a collapse's, its time counts.</summary>
    public void ShootdownOver(long shootdown, long nowPs)
    {
        if (_collapsing.Remove(shootdown, out long startPs))
        {
            _collapsePs += nowPs - startPs;
        }
    }

    private void Add(long replica, long master)
    {
        _masterOf[replica] = master;
        if (!_byMaster.TryGetValue(master, out var nodes))
        {
            nodes = [];
            _byMaster[master] = nodes;
        }

        nodes[(int)(replica / _pagesPerNode)] = replica;
    }

    public void DeclareState(ref StateIo io)
    {
        io.LongMap("replicas", _masterOf, 1 << 26, 0, long.MaxValue, 0, long.MaxValue);
        io.Map("replications", _copies, 1 << 20, static (ref StateIo io, ref long id) => io.Long("replication", ref id, IdBase), static (ref StateIo io, ref Copy c) =>
        {
            c ??= new Copy();
            io.Part(c);
        });
        io.LongMap("collapses under way", _collapsing, 1 << 20, 0, long.MaxValue, 0, long.MaxValue);
        io.Long("next replication", ref _next, IdBase);
        io.Counter("replications", ref _done);
        io.Counter("monitor.numa.replications_aborted", ref _aborted);
        io.Counter("monitor.numa.unreplicable", ref _unreplicable);
        io.Counter("monitor.numa.replication_shootdown_ps", ref _shootdownPs);
        io.Counter("monitor.numa.replication_copy_ps", ref _copyPs);
        io.Counter("monitor.numa.collapses", ref _collapses);
        io.Counter("monitor.numa.collapse_ps", ref _collapsePs);
        io.Counter("monitor.numa.replicas_freed", ref _freed);
        if (io.IsLoading)
        {
            _byMaster.Clear();
            foreach (var (replica, master) in _masterOf.ToList())
            {
                Add(replica, master);
            }
        }
    }

    private sealed class Copy : IStateful
    {
        public int Vm;
        public long GuestPage;
        public long Master;
        public long Replica;
        public int Node;
        public long StartPs;
        public bool Aborted;
        public readonly List<MachinePageRequest> Held = [];

        public void DeclareState(ref StateIo io)
        {
            io.Int("vm", ref Vm, 0);
            io.Long("guest page", ref GuestPage, 0);
            io.Long("master", ref Master, 0);
            io.Long("replica", ref Replica, 0);
            io.Int("node", ref Node, 0);
            io.Long("start", ref StartPs, 0);
            io.Bool("given up", ref Aborted);
            io.List("held requests", Held, 1 << 16, static (ref StateIo io, ref MachinePageRequest r) => io.Message("held request", ref r));
        }
    }
}
