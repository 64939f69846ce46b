using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The global copy-on-write disk cache [D 4.2.4]: disk blocks held in machine pages, mapped read-only into every VM
/// that reads them; and, for a non-persistent disk, each VM's private overlay: the blocks it wrote, kept in memory,
/// which only its own later reads see. Knows which machine page holds what; the page manager maps and frees them.
/// </summary>
public sealed class DiskCache : IStateful
{
    private readonly long _machinePages;

    // State (checkpointed, in this order; the reverse indexes are rebuilt on load).
    private readonly SortedDictionary<DiskBlock, long> _cached = [];
    private readonly SortedDictionary<(DiskBlock Block, int Vm), long> _modified = [];
    private long _privateWrites;
    private long _privateReads;

    private readonly Dictionary<long, DiskBlock> _blockIn = [];
    private readonly Dictionary<long, (DiskBlock Block, int Vm)> _modificationIn = [];

    /// <param name="machinePages">Machine pages of the machine (the bound of every page held).</param>
    public DiskCache(long machinePages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(machinePages, 1);
        _machinePages = machinePages;
    }

    public long CachedBlocks => _cached.Count;

    /// <summary>Blocks written to a non-persistent disk: kept in memory, private to the writer.</summary>
    public long PrivateWrites => _privateWrites;

    /// <summary>Reads a VM's own private modification served (no disk I/O).</summary>
    public long PrivateReads => _privateReads;

    /// <summary>Every private modification: the block, the VM that wrote it, the machine page holding it.</summary>
    public IEnumerable<(DiskBlock Block, int Vm, long MachinePage)> Modifications => _modified.Select(m => (m.Key.Block, m.Key.Vm, m.Value));

    /// <summary>Machine pages holding a cached block or a private modification.</summary>
    public IEnumerable<long> HeldPages => _blockIn.Keys.Concat(_modificationIn.Keys).Distinct();

    public bool IsCached(DiskBlock block) => _cached.ContainsKey(block);

    public bool TryCached(DiskBlock block, out long machinePage) => _cached.TryGetValue(block, out machinePage);

    /// <summary>The machine page holding VM <paramref name="vm"/>'s modification of <paramref name="block"/>, if it wrote one.</summary>
    public bool TryModified(int vm, DiskBlock block, out long machinePage) => _modified.TryGetValue((block, vm), out machinePage);

    /// <summary>True when <paramref name="machinePage"/> holds a cached block.</summary>
    public bool IsCachePage(long machinePage) => _blockIn.ContainsKey(machinePage);

    public bool TryBlockIn(long machinePage, out DiskBlock block) => _blockIn.TryGetValue(machinePage, out block);

    /// <summary>True when <paramref name="machinePage"/> holds a cached block or a VM's modification (it is not free).</summary>
    public bool Holds(long machinePage) => _blockIn.ContainsKey(machinePage) || _modificationIn.ContainsKey(machinePage);

    /// <summary>A VM read its own modification.</summary>
    public void CountPrivateRead() => _privateReads++;

    /// <summary>
    /// <paramref name="machinePage"/> holds <paramref name="block"/> from now on (a read filled it, or a write to a
    /// persistent disk made it the block's copy). Returns the page that held the block before and no longer does, or -1.
    /// </summary>
    public long Cache(DiskBlock block, long machinePage)
    {
        long released = -1;
        if (_cached.TryGetValue(block, out long old) && old != machinePage)
        {
            _blockIn.Remove(old);
            released = old;
        }

        _cached[block] = machinePage;
        _blockIn[machinePage] = block;
        return released;
    }

    /// <summary>
    /// VM <paramref name="vm"/> wrote <paramref name="block"/> of a non-persistent disk from <paramref name="machinePage"/>:
    /// the page is its private modification now. Returns the page of its previous modification of the block, which no
    /// longer holds it, or -1.
    /// </summary>
    public long KeepPrivate(int vm, DiskBlock block, long machinePage)
    {
        long released = -1;
        if (_modified.TryGetValue((block, vm), out long previous) && previous != machinePage)
        {
            _modificationIn.Remove(previous);
            released = previous;
        }

        if (_modificationIn.TryGetValue(machinePage, out var other) && other != (block, vm))
        {
            throw new InvalidOperationException($"VM {vm} wrote machine page {machinePage}, its modification of {other.Block}, to {block}");
        }

        _modified[(block, vm)] = machinePage;
        _modificationIn[machinePage] = (block, vm);
        _privateWrites++;
        return released;
    }

    public void DeclareState(ref StateIo io)
    {
        long last = _machinePages - 1;
        int most = (int)Math.Min(int.MaxValue, _machinePages);
        io.Map("disk cache", _cached, most, static (ref StateIo io, ref DiskBlock b) => io.Value("cached block", ref b), (ref StateIo io, ref long p) => io.Long("cache page", ref p, 0, last));
        io.Map(
            "private modifications",
            _modified,
            most,
            static (ref StateIo io, ref (DiskBlock Block, int Vm) k) =>
            {
                io.Value("modified block", ref k.Block);
                io.Int("modifying vm", ref k.Vm, 0, int.MaxValue);
            },
            (ref StateIo io, ref long p) => io.Long("modification page", ref p, 0, last));
        io.Counter("disk_writes.private", ref _privateWrites);
        io.Counter("disk_requests.private", ref _privateReads);
        if (io.IsLoading)
        {
            _blockIn.Clear();
            foreach (var (block, page) in _cached)
            {
                _blockIn[page] = block;
            }

            _modificationIn.Clear();
            foreach (var (key, page) in _modified)
            {
                _modificationIn[page] = key;
            }
        }
    }
}
