using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Guest;

/// <summary>One NFS read request at the server: its reply handle, the blocks it names, when it came, what disk read it waits for.</summary>
internal sealed class NfsCall : IStateful
{
    private long _handle;
    private long[] _keys;
    private long _arrivedPs;
    private long _waitingFor = -1;

    /// <summary>An empty call, to be filled by loading its state.</summary>
    public NfsCall()
        : this(0, [], 0)
    {
    }

    public NfsCall(long handle, long[] keys, long arrivedPs)
    {
        _handle = handle;
        _keys = keys;
        _arrivedPs = arrivedPs;
    }

    public long Handle => _handle;

    public long ArrivedPs => _arrivedPs;

    public IEnumerable<BlockKey> Keys => _keys.Select(BlockKey.Decode);

    /// <summary>The server's disk read whose completion lets it answer (-1: none).</summary>
    public long WaitingFor { get => _waitingFor; set => _waitingFor = value; }

    public void DeclareState(ref StateIo io)
    {
        io.Long("nfs call handle", ref _handle, 0);
        io.LongArray("nfs call blocks", ref _keys, 1024, 0);
        io.Long("nfs call arrival", ref _arrivedPs, 0);
        io.Long("nfs call waits for", ref _waitingFor, -1);
    }
}
