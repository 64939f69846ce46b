using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The NFS server of a guest that serves files to the other VMs: an nfsd path finds the requested blocks in the
/// buffer cache (the server holds the files there) and sends them; the reply's pages stay named by a handle until
/// the monitor has sent them (remapped, not copied).
/// </summary>
internal sealed class NfsServer : IStateful
{
    private readonly BufferCache _cache;
    private readonly KernelPathStack _paths;
    private readonly KernelCodeWriter _code;

    private readonly SortedDictionary<long, long[]> _replies = [];
    private long _nextHandle;

    public NfsServer(BufferCache cache, KernelPathStack paths, KernelCodeWriter code)
    {
        _cache = cache;
        _paths = paths;
        _code = code;
    }

    /// <summary>A read request arrived from the virtual network: returns the reply's handle.</summary>
    public long OnRequest(IReadOnlyList<BlockKey> keys, long nowPs)
    {
        var pages = new long[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            if (!_cache.TryGetPage(keys[i], out pages[i]))
            {
                throw new InvalidOperationException($"NFS server: {keys[i]} is not in its cache (the server serves from a warm cache)");
            }
        }

        long handle = _nextHandle++;
        _replies[handle] = pages;
        var b = _code.Entry();
        _code.Body(b, KernelCode.NfsServe);
        b.Add(GuestPrivilegedOps.Op(GuestPrivileged.NetSend, handle));
        _code.Exit(b);
        _paths.Push(KernelService.NfsServe, b, nowPs);
        return handle;
    }

    /// <summary>The guest pages of reply <paramref name="handle"/>; <paramref name="sent"/> forgets it.</summary>
    public long[] ReplyPages(long handle, bool sent)
    {
        var pages = _replies.TryGetValue(handle, out var p) ? p : throw new InvalidOperationException($"guest: NetSend of unknown reply {handle}");
        if (sent)
        {
            _replies.Remove(handle);
        }

        return pages;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Long("next nfs reply", ref _nextHandle, 0);
        io.Map(
            "nfs replies",
            _replies,
            1 << 16,
            static (ref StateIo io, ref long handle) => io.Long("nfs reply", ref handle, 0),
            static (ref StateIo io, ref long[] pages) => io.LongArray("nfs pages", ref pages, 1024, 0));
    }
}
