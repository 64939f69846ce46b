using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The NFS server of a guest that serves files to the other VMs. Each request takes one of its nfsd threads
/// (<see cref="GuestParams.NfsThreads"/>) from its arrival until its reply is sent; requests that find them all busy
/// wait in arrival order. An nfsd finds the requested blocks in the buffer cache, or reads the missing ones from the
/// server's disk (the thread sleeps until the read completes), then sends them; the reply's pages stay named by a
/// handle until the monitor has sent them (remapped, not copied).
/// </summary>
internal sealed class NfsServer : IStateful
{
    private const int MaxCalls = 1 << 16;

    private readonly BufferCache _cache;
    private readonly KernelPathStack _paths;
    private readonly KernelCodeWriter _code;
    private readonly int _threads;

    // State (declared in DeclareState).
    private readonly SortedDictionary<long, long[]> _replies = [];
    private long _nextHandle;
    private readonly List<NfsCall> _inService = [];
    private readonly List<NfsCall> _queue = [];
    private long _requests;
    private long _queued;
    private long _queueWaitPs;
    private long _diskWaits;

    public NfsServer(BufferCache cache, KernelPathStack paths, KernelCodeWriter code, int threads)
    {
        _cache = cache;
        _paths = paths;
        _code = code;
        _threads = threads;
    }

    /// <summary>A read request arrived from the virtual network: returns the reply's handle.</summary>
    public long OnRequest(IReadOnlyList<BlockKey> keys, long nowPs)
    {
        var call = new NfsCall(_nextHandle++, [.. keys.Select(k => k.Encode())], nowPs);
        _requests++;
        if (_inService.Count < _threads)
        {
            Start(call, nowPs);
        }
        else
        {
            _queued++;
            _queue.Add(call);
        }

        return call.Handle;
    }

    /// <summary>A disk read of the server's completed (its blocks are cached now): the nfsds that slept on it answer.</summary>
    public void OnDiskComplete(long requestId, long nowPs)
    {
        foreach (var call in _inService.Where(c => c.WaitingFor == requestId).ToList())
        {
            var missing = call.Keys.Where(k => !_cache.Contains(k)).ToList();
            call.WaitingFor = missing.Count == 0 ? -1 : missing.Max(_cache.RequestOf);
            if (call.WaitingFor < 0)
            {
                Answer(call, nowPs, count: false);
            }
        }
    }

    /// <summary>The guest pages of reply <paramref name="handle"/>.</summary>
    public long[] ReplyPages(long handle) =>
        _replies.TryGetValue(handle, out var p) ? p : throw new InvalidOperationException($"guest: NetSend of unknown reply {handle}");

    /// <summary>Reply <paramref name="handle"/> has left: its nfsd takes the next request waiting, if any.</summary>
    public void ReplySent(long handle, long nowPs)
    {
        _replies.Remove(handle);
        int done = _inService.FindIndex(c => c.Handle == handle);
        if (done < 0)
        {
            throw new InvalidOperationException($"guest: NFS reply {handle} sent by no nfsd");
        }

        _inService.RemoveAt(done);
        if (_queue.Count > 0)
        {
            var next = _queue[0];
            _queue.RemoveAt(0);
            Start(next, nowPs);
        }
    }

    /// <summary>An nfsd takes the request: answers from the cache, or starts the reads of the blocks it lacks and sleeps.</summary>
    private void Start(NfsCall call, long nowPs)
    {
        _inService.Add(call);
        _queueWaitPs += nowPs - call.ArrivedPs;
        var missing = call.Keys.Where(k => !_cache.Contains(k)).ToList();
        if (missing.Count == 0)
        {
            Answer(call, nowPs, count: true);
            return;
        }

        _diskWaits++;
        var b = _code.Entry();
        _code.Body(b, KernelCode.NfsServe);
        call.WaitingFor = _cache.StartReads(b, missing);
        _code.Exit(b);
        _paths.Push(KernelService.NfsServe, b, nowPs);
    }

    private void Answer(NfsCall call, long nowPs, bool count)
    {
        _replies[call.Handle] = [.. call.Keys.Select(_cache.PageOf)];
        var b = _code.Entry();
        _code.Body(b, KernelCode.NfsServe);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.NetSend, call.Handle));
        _code.Exit(b);
        _paths.Push(KernelService.NfsServe, b, nowPs, count: count);
    }

    public void DeclareState(ref StateIo io)
    {
        io.Long("next nfs reply", ref _nextHandle, 0);
        io.Map(
            "nfs replies",
            _replies,
            MaxCalls,
            static (ref StateIo io, ref long handle) => io.Long("nfs reply", ref handle, 0),
            static (ref StateIo io, ref long[] pages) => io.LongArray("nfs pages", ref pages, 1024, 0));
        io.List("nfs calls in service", _inService, _threads, static (ref StateIo io, ref NfsCall c) => Call(ref io, ref c));
        io.List("nfs calls queued", _queue, MaxCalls, static (ref StateIo io, ref NfsCall c) => Call(ref io, ref c));
        io.Counter("guest.nfs.requests", ref _requests);
        io.Counter("guest.nfs.queued", ref _queued);
        io.Counter("guest.nfs.queue_wait_ps", ref _queueWaitPs);
        io.Counter("guest.nfs.disk_waits", ref _diskWaits);
    }

    private static void Call(ref StateIo io, ref NfsCall call)
    {
        if (io.IsLoading)
        {
            call = new NfsCall();
        }

        io.Part(call);
    }
}
