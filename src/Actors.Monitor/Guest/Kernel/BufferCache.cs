using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The guest's buffer cache over its disks: file blocks in guest pages, the blocks being read (a service that needs
/// one sleeps on its request), the disk requests in flight, and the pages loaded before the run (a monitor backs
/// those from its disk cache). Each file lies in consecutive blocks of its disk, from a start the file number gives.
/// </summary>
internal sealed class BufferCache : IStateful
{
    private readonly GuestMemory _memory;
    private readonly int _disks;
    private readonly long _diskBlocks;
    private readonly long _sectorsPerBlock;

    // Iterated in key order (file, then block): runs of consecutive keys become one request.
    private readonly SortedDictionary<BlockKey, long> _blocks = [];
    private readonly SortedDictionary<BlockKey, long> _inFlight = [];
    private readonly SortedDictionary<long, GuestIo> _requests = [];
    private readonly SortedDictionary<long, BlockKey> _loaded = [];
    private readonly SortedSet<long> _untouched = [];

    // Derived from _blocks (rebuilt on load).
    private readonly HashSet<long> _pages = [];
    private long _nextRequest;
    private long _diskReads;
    private long _diskWrites;

    /// <param name="sectorBytes">The disk's sector size (a block is one guest page of sectors).</param>
    public BufferCache(GuestMemory memory, int disks, long diskSectors, int sectorBytes)
    {
        if (disks < 1)
        {
            throw new BadInputException("disco.machine.disk.count", "the guest OS needs at least one disk");
        }

        if (sectorBytes < 1 || GuestLayout.PageBytes % sectorBytes != 0)
        {
            throw new BadInputException("disco.machine.disk.sector-bytes", $"is {sectorBytes}; the guest's {GuestLayout.PageBytes}-byte blocks need a whole number of sectors");
        }

        _memory = memory;
        _disks = disks;
        _sectorsPerBlock = GuestLayout.PageBytes / sectorBytes;
        _diskBlocks = diskSectors / _sectorsPerBlock;
        if (_diskBlocks < 2 * GuestFiles.MaxBlocks)
        {
            throw new BadInputException("disco.machine.disk.cylinders", $"the disk holds {_diskBlocks} blocks; the guest's file layout needs at least {2 * GuestFiles.MaxBlocks}");
        }
    }

    /// <summary>Blocks cached.</summary>
    public int Count => _blocks.Count;

    /// <summary>Guest pages holding cached blocks.</summary>
    public int PageCount => _pages.Count;

    /// <summary>Guest pages the cache holds or is reading a block into (a read's pages hold the block from its start on, for the footprint).</summary>
    public int FootprintPages => _pages.Count + _inFlight.Count;

    /// <summary>Pages loaded before the run (the files cached at boot).</summary>
    public int LoadedCount => _loaded.Count;

    /// <summary>
    /// Pages loaded before the run that no path has used yet: like the kernel's text, a file cached at boot holds
    /// data for the footprint once the kernel reaches it (under a monitor its machine page comes only then).
    /// </summary>
    public int UntouchedCount => _untouched.Count;

    public long DiskReads => _diskReads;

    public long DiskWrites => _diskWrites;

    public bool IsBufferPage(long guestPage) => _pages.Contains(guestPage);

    public bool TryGetPage(BlockKey key, out long guestPage)
    {
        if (!_blocks.TryGetValue(key, out guestPage))
        {
            return false;
        }

        Touch(guestPage);
        return true;
    }

    public bool Contains(BlockKey key) => _blocks.ContainsKey(key);

    public long PageOf(BlockKey key)
    {
        long page = _blocks[key];
        Touch(page);
        return page;
    }

    private void Touch(long guestPage)
    {
        if (_untouched.Count > 0 && _untouched.Contains(guestPage))
        {
            _memory.BeforeChange();
            _untouched.Remove(guestPage);
        }
    }

    public bool IsInFlight(BlockKey key) => _inFlight.ContainsKey(key);

    /// <summary>The request reading <paramref name="key"/> (it must be in flight).</summary>
    public long RequestOf(BlockKey key) => _inFlight[key];

    /// <summary>The block a page was loaded from before the run, if it was.</summary>
    public bool TryGetLoaded(long guestPage, out BlockKey key) => _loaded.TryGetValue(guestPage, out key);

    /// <summary>Puts a file's inode and first <paramref name="blocks"/> blocks in the cache before the run.</summary>
    public void Warm(int file, long blocks)
    {
        for (long b = -1; b < blocks; b++)
        {
            var key = b < 0 ? BlockKey.Inode(file) : new BlockKey(file, b);
            if (!_blocks.ContainsKey(key))
            {
                long page = _memory.Allocate();
                Add(key, page);
                _loaded[page] = key;
                _untouched.Add(page);
            }
        }
    }

    /// <summary>The page a block is written into: its cached page, or a new one (whole-page writes need no read).</summary>
    public long PageForWrite(BlockKey key)
    {
        if (!_blocks.TryGetValue(key, out long page))
        {
            page = _memory.Allocate();
            Add(key, page);
        }

        Touch(page);

        return page;
    }

    /// <summary>
    /// Starts the reads of <paramref name="keys"/> not yet under way, one request per run of consecutive blocks (a
    /// request reads consecutive sectors), into <paramref name="b"/>. Returns the last request any of them waits for.
    /// </summary>
    public long StartReads(List<Operation> b, List<BlockKey> keys)
    {
        var fresh = keys.Where(k => !_inFlight.ContainsKey(k)).ToList();
        for (int start = 0; start < fresh.Count;)
        {
            int end = start + 1;
            while (end < fresh.Count && fresh[end] == fresh[end - 1].Next())
            {
                end++;
            }

            long id = _nextRequest++;
            var run = fresh.GetRange(start, end - start);
            var first = run[0];
            var io = new GuestIo(id, GuestFiles.DiskOf(first.File, _disks), BlockSector(first), [.. run], [.. run.Select(_ => _memory.Allocate())]);
            _requests[id] = io;
            foreach (var k in run)
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

        return keys.Select(k => _inFlight[k]).Max();
    }

    /// <summary>Starts a synchronous write of blocks from <paramref name="first"/> on: returns its request.</summary>
    public long StartWrite(BlockKey first, BlockKey[] keys, long[] guestPages)
    {
        long id = _nextRequest++;
        _requests[id] = new GuestIo(id, GuestFiles.DiskOf(first.File, _disks), BlockSector(first), keys, guestPages, Write: true);
        _diskWrites++;
        return id;
    }

    /// <summary>A request completed: a read's blocks enter the cache.</summary>
    public void Complete(long requestId)
    {
        if (!_requests.Remove(requestId, out var io))
        {
            throw new InvalidOperationException($"guest: completion of unknown disk request {requestId}");
        }

        for (int i = 0; i < io.Blocks.Length && !io.Write; i++)
        {
            Add(io.Blocks[i], io.GuestPages[i]);
            _inFlight.Remove(io.Blocks[i]);
        }
    }

    public GuestIo Request(long requestId) =>
        _requests.TryGetValue(requestId, out var io) ? io : throw new InvalidOperationException($"guest: StartIo of unknown request {requestId}");

    /// <summary>Where a block lies: its disk and first sector.</summary>
    public (int Disk, long Sector) Location(BlockKey key) => (GuestFiles.DiskOf(key.File, _disks), BlockSector(key));

    public long BlockSector(BlockKey key) => (FileStartBlock(key.File) + key.Block) * _sectorsPerBlock;

    private long FileStartBlock(int file) => (long)((ulong)file * 2654435761UL % (ulong)(_diskBlocks - GuestFiles.MaxBlocks - 1));

    private void Add(BlockKey key, long guestPage)
    {
        _blocks[key] = guestPage;
        _pages.Add(guestPage);
    }

    public void DeclareState(ref StateIo io)
    {
        io.Map("buffer cache", _blocks, 1 << 26, BlockIo, PageIo);
        if (io.IsLoading)
        {
            _pages.Clear();
            _pages.UnionWith(_blocks.Values);
        }

        io.Map("blocks in flight", _inFlight, 1 << 26, BlockIo, static (ref StateIo io, ref long id) => io.Long("request", ref id, 0));
        io.Map("pages loaded at boot", _loaded, 1 << 26, PageIo, BlockIo);
        io.Set("pages loaded at boot, not used yet", _untouched, 1 << 26, 0);
        io.Map("disk requests", _requests, 1 << 20, static (ref StateIo io, ref long id) => io.Long("request id", ref id, 0), RequestIo);
        io.Long("next request", ref _nextRequest, 0);
        io.Counter("guest.disk_reads", ref _diskReads);
        io.Counter("guest.disk_writes", ref _diskWrites);
    }

    private static void BlockIo(ref StateIo io, ref BlockKey key) => io.Value("block", ref key);

    private static void PageIo(ref StateIo io, ref long page) => io.Long("guest page", ref page, 0);

    private void RequestIo(ref StateIo io, ref GuestIo request)
    {
        long id = request?.Id ?? 0, sector = request?.Sector ?? 0;
        int disk = request?.Disk ?? 0;
        BlockKey[] blocks = request?.Blocks ?? [];
        long[] pages = request?.GuestPages ?? [];
        bool write = request?.Write ?? false;
        io.Long("request id", ref id, 0);
        io.Int("request disk", ref disk, 0, _disks - 1);
        io.Long("request sector", ref sector, 0);
        io.Values("request blocks", ref blocks, 1024);
        io.LongArray("request pages", ref pages, 1024, 0);
        io.Bool("request writes", ref write);
        if (io.IsLoading)
        {
            request = new GuestIo(id, disk, sector, blocks, pages, write);
        }
    }
}
