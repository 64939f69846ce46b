using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>One line's directory entry at its home, with the transaction in progress and the requests waiting for it.</summary>
internal sealed class DirectoryEntry(long line)
{
    public long Line { get; } = line;

    public DirectoryState State;

    public ulong Sharers;

    public int Owner = -1;

    /// <summary>The transaction in progress (None: the line is idle).</summary>
    public DirectoryTransaction Tx;

    public int Requester = -1;

    public int PendingAcks;

    public int AwaitingForward = -1;

    public bool OwnerKeptCopy;

    /// <summary>The memory read whose answer the reply waits for (0: none, or it came at <see cref="DataReadyPs"/>).</summary>
    public long DataSequence;

    /// <summary>When memory's data arrived (a speculative read's answer), or the owner's dirty data did.</summary>
    public long DataReadyPs;

    public DmaKey Dma;

    public Queue<WaitingRequest>? Waiting;

    public bool Busy => Tx != DirectoryTransaction.None || Waiting is { Count: > 0 };

    /// <summary>Everything but the line itself (its map's key); node numbers in [-1, <paramref name="nodes"/>).</summary>
    public void DeclareState(ref StateIo io, int nodes)
    {
        int maxNode = nodes - 1;
        io.Enum("directory state", ref State);
        io.ULong("sharers", ref Sharers);
        io.Int("owner", ref Owner, -1, maxNode);
        io.Enum("transaction", ref Tx);
        io.Int("requester", ref Requester, -1, maxNode);
        io.Int("pending acks", ref PendingAcks, 0, nodes);
        io.Int("awaiting forward", ref AwaitingForward, -1, maxNode);
        io.Bool("owner kept copy", ref OwnerKeptCopy);
        io.Long("data sequence", ref DataSequence, 0);
        io.Long("data ready", ref DataReadyPs, 0);
        io.Value("dma", ref Dma);
        var waiting = Waiting ?? new Queue<WaitingRequest>();
        io.Queue("waiting requests", waiting, (4 * Machine.MachineConstants.MaxNodes) + 1024, (ref StateIo inner, ref WaitingRequest w) =>
        {
            var kind = w.Kind;
            int requester = w.Requester;
            var dma = w.Dma;
            inner.Enum("waiting kind", ref kind);
            inner.Int("waiting requester", ref requester, -1, maxNode);
            inner.Value("waiting dma", ref dma);
            if (kind == DirectoryTransaction.None)
            {
                throw new CorruptStateException("waiting kind: a waiting request must want something");
            }

            w = new WaitingRequest(kind, requester, dma);
        });
        if (io.IsLoading)
        {
            Waiting = waiting.Count > 0 ? waiting : null;
        }
    }
}
