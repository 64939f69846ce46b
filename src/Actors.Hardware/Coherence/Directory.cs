using System.Numerics;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The home side of the coherence protocol for the lines of one node's memory, with the node controller's timing:
/// a full bit-vector directory (MESI), a controller that is busy a fixed occupancy per message
/// (<see cref="ControllerOccupancy"/>), and its ports (<see cref="HomePort"/>): every line read or write goes to the
/// node's memory controller by message, and a reply that needs the data waits for its answer in a FIFO outbound queue. A
/// line with a transaction in progress (waiting for invalidation acknowledgements or the owner's reply) is busy: later
/// requests for it wait in its queue. It also counts misses per (page, requesting node) and raises hot-page
/// interrupts (<see cref="HotPageCounters"/>). Pure state: the directory component hosts it, the property tests
/// drive it directly.
/// </summary>
public sealed class Directory : IStateful
{
    private readonly MachineParams _p;
    private readonly MachineLayout _layout;
    private readonly HomeMap _homes;
    private readonly int _node;
    private readonly int _linesPerPageShift;
    private readonly DirectoryLines _lines;
    private readonly DmaTransfers _dma;
    private readonly ControllerOccupancy _controller;
    private readonly HotPageCounters _hotPages;
    private readonly HomePort _port;
    private readonly LineWords _memoryWords = new();
    private long _readRequests;
    private long _readExclusiveRequests;
    private long _upgrades;
    private long _writebacks;
    private long _invalidationsSent;
    private long _forwardsSent;
    private long _queuedRequests;

    public Directory(MachineParams parameters, MachineLayout layout, NodeId node, ComponentId? hotPageComponent = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        _p = parameters;
        _layout = layout;
        _homes = HomeMap.Of(parameters);
        _node = node.Value;
        _linesPerPageShift = _homes.LinesPerPageShift;
        _controller = new ControllerOccupancy(parameters);
        _port = new HomePort(layout.MemoryController(_node));
        _hotPages = new HotPageCounters(parameters, layout, _node, hotPageComponent);
        _dma = new DmaTransfers(1 << _linesPerPageShift);
        _lines = new DirectoryLines(_homes, _node, parameters.Nodes);
    }

    public NodeId Node => new(_node);

    public ControllerOccupancy Controller => _controller;

    /// <summary>Messages held back behind a memory answer.</summary>
    public int HeldMessages => _port.Waiting;

    /// <summary>Requests to the memory controller not answered yet.</summary>
    public long MemoryRequestsOutstanding => _port.Outstanding;

    public long Upgrades => _upgrades;

    public long Writebacks => _writebacks;

    public long InvalidationsSent => _invalidationsSent;

    public long ForwardsSent => _forwardsSent;

    public long HotPageInterrupts => _hotPages.Interrupts;

    public long DmaPages => _dma.Pages;

    /// <summary>Requests that found their line busy and waited in its queue.</summary>
    public long QueuedRequests => _queuedRequests;

    public DirectoryView View(LineAddress line) =>
        _lines.TryGet(line.Value, out var e)
            ? new DirectoryView(e.State, e.Sharers, e.Owner, e.Tx != DirectoryTransaction.None, e.Waiting?.Count ?? 0)
            : new DirectoryView(DirectoryState.Uncached, 0, -1, false, 0);

    public IEnumerable<long> Lines => _lines.Lines;

    public void OnRead(ReadRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        _readRequests++;
        long t = _controller.Occupy(nowPs);
        CountMiss(m.Line.Value, m.Requester.Value, write: false, nowPs, t, outbox);
        var e = _lines.Get(m.Line.Value);
        if (e.Busy)
        {
            Enqueue(e, new WaitingRequest(DirectoryTransaction.Read, m.Requester.Value));
            return;
        }

        StartRead(e, m.Requester.Value, t, outbox);
    }

    public void OnReadExclusive(ReadExclusiveRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        _readExclusiveRequests++;
        long t = _controller.Occupy(nowPs);
        CountMiss(m.Line.Value, m.Requester.Value, write: true, nowPs, t, outbox);
        var e = _lines.Get(m.Line.Value);
        if (e.Busy)
        {
            Enqueue(e, new WaitingRequest(DirectoryTransaction.ReadExclusive, m.Requester.Value));
            return;
        }

        StartReadExclusive(e, m.Requester.Value, t, outbox);
    }

    public void OnWriteback(WritebackRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        _writebacks++;
        long t = _controller.Occupy(nowPs);
        _port.Write(m.Line.Value, t, outbox);
        _memoryWords.Set(m.Line.Value, m.Word);
        int from = m.Requester.Value;
        if (!_lines.TryGet(m.Line.Value, out var e) || e.State != DirectoryState.Exclusive || e.Owner != from)
        {
            // Paths are FIFO, so the home still records the writer as owner: anything else is a protocol bug.
            throw new InvalidOperationException($"directory {_node}: writeback of line {m.Line} from node {from}, which does not own it ({View(m.Line)})");
        }

        if (e.Tx != DirectoryTransaction.None)
        {
            // The owner evicted the line before our forward or invalidation reached it: it will answer "no copy",
            // and memory now has the data.
            return;
        }

        e.State = DirectoryState.Uncached;
        e.Owner = -1;
        Release(m.Line.Value, e, t, outbox);
    }

    public void OnInvalidateAck(InvalidateAck m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        long t = _controller.Occupy(nowPs);
        if (!_lines.TryGet(m.Line.Value, out var e) || e.Tx == DirectoryTransaction.None || e.PendingAcks <= 0)
        {
            throw new InvalidOperationException($"directory {_node}: unexpected invalidation ack for line {m.Line} from node {m.From.Value} ({View(m.Line)})");
        }

        e.Sharers &= ~Bit(m.From.Value);
        if (e.State == DirectoryState.Exclusive && e.Owner == m.From.Value)
        {
            e.Owner = -1;
        }

        if (--e.PendingAcks == 0 && e.AwaitingForward < 0)
        {
            Complete(m.Line.Value, e, t, outbox);
        }
    }

    public void OnForwardReply(ForwardReply m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        long t = _controller.Occupy(nowPs);
        if (!_lines.TryGet(m.Line.Value, out var e) || e.Tx == DirectoryTransaction.None || e.AwaitingForward != m.From.Value)
        {
            throw new InvalidOperationException($"directory {_node}: unexpected forward reply for line {m.Line} from node {m.From.Value} ({View(m.Line)})");
        }

        e.AwaitingForward = -1;
        e.OwnerKeptCopy = m.KeptCopy;
        if (m.Dirty)
        {
            // The owner's data goes to memory and on to the requester: the speculative read's answer is ignored.
            _port.Write(e.Line, t, outbox);
            _memoryWords.Set(e.Line, m.Word);
            e.DataSequence = 0;
            e.DataReadyPs = t;
        }

        if (e.PendingAcks == 0)
        {
            Complete(m.Line.Value, e, t, outbox);
        }
    }

    /// <summary>
    /// A line's data is back from memory. It arrives in the node controller's data buffers, past the protocol
    /// engine: no occupancy. A speculative read's answer for a transaction that took the owner's dirty data instead
    /// (or already finished) matches no entry's sequence number and is only counted off.
    /// </summary>
    public void OnMemoryData(MemoryData m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (_lines.TryGet(m.Line.Value, out var e) && e.DataSequence == m.Sequence)
        {
            e.DataSequence = 0;
            e.DataReadyPs = nowPs;
        }

        _port.Answered(m.Sequence, nowPs, outbox);
    }

    /// <summary>Memory has finished what it was given before the fence: a DMA completion may leave.</summary>
    public void OnMemoryFenceDone(MemoryFenceDone m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        _port.Answered(m.Sequence, nowPs, outbox);
    }

    public void OnDma(DmaRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        _dma.Begin(m, _node);
        long t = _controller.Occupy(nowPs);
        var key = m.Dma;

        long first = m.Page.Value << _linesPerPageShift;
        for (long line = first; line < first + (1L << _linesPerPageShift); line++)
        {
            var e = _lines.Get(line);
            var kind = m.ToMemory ? DirectoryTransaction.DmaToMemory : DirectoryTransaction.DmaFromMemory;
            if (e.Busy)
            {
                Enqueue(e, new WaitingRequest(kind, -1, key));
            }
            else
            {
                StartDma(line, e, kind, key, t, outbox);
            }
        }
    }

    private void StartRead(DirectoryEntry e, int requester, long t, ICoherenceOutbox outbox)
    {
        switch (e.State)
        {
            case DirectoryState.Exclusive when e.Owner != requester:
                Begin(e, DirectoryTransaction.Read, requester);
                e.DataSequence = _port.Read(e.Line, t, outbox); // speculative, used if the owner's copy was clean
                e.AwaitingForward = e.Owner;
                _forwardsSent++;
                Send(_layout.Processor(e.Owner), t, new Forward(new LineAddress(e.Line), Invalidate: false), outbox);
                break;
            case DirectoryState.Shared:
                e.Sharers |= Bit(requester);
                Send(_layout.Processor(requester), t, new DataReply(new LineAddress(e.Line), Exclusive: false, _memoryWords.Of(e.Line)), outbox, _port.Read(e.Line, t, outbox));
                break;
            default:
                // Uncached, or the recorded owner is the requester itself (it dropped a clean exclusive line).
                e.State = DirectoryState.Exclusive;
                e.Owner = requester;
                e.Sharers = 0;
                Send(_layout.Processor(requester), t, new DataReply(new LineAddress(e.Line), Exclusive: true, _memoryWords.Of(e.Line)), outbox, _port.Read(e.Line, t, outbox));
                break;
        }
    }

    private void StartReadExclusive(DirectoryEntry e, int requester, long t, ICoherenceOutbox outbox)
    {
        switch (e.State)
        {
            case DirectoryState.Exclusive when e.Owner != requester:
                Begin(e, DirectoryTransaction.ReadExclusive, requester);
                e.DataSequence = _port.Read(e.Line, t, outbox);
                e.AwaitingForward = e.Owner;
                _forwardsSent++;
                Send(_layout.Processor(e.Owner), t, new Forward(new LineAddress(e.Line), Invalidate: true), outbox);
                break;
            case DirectoryState.Shared:
                ulong others = e.Sharers & ~Bit(requester);
                bool upgrade = (e.Sharers & Bit(requester)) != 0;
                if (upgrade)
                {
                    _upgrades++;
                }

                long data = upgrade ? 0 : _port.Read(e.Line, t, outbox);
                if (others == 0)
                {
                    GrantExclusive(e, requester, t, outbox, data);
                    break;
                }

                Begin(e, DirectoryTransaction.ReadExclusive, requester);
                e.DataSequence = data;
                SendInvalidations(e, others, t, outbox);
                break;
            default:
                GrantExclusive(e, requester, t, outbox, _port.Read(e.Line, t, outbox));
                break;
        }
    }

    private void StartDma(long line, DirectoryEntry e, DirectoryTransaction kind, DmaKey key, long t, ICoherenceOutbox outbox)
    {
        if (kind == DirectoryTransaction.DmaToMemory)
        {
            _port.Write(line, t, outbox);
            ulong holders = e.State == DirectoryState.Exclusive ? Bit(e.Owner) : e.State == DirectoryState.Shared ? e.Sharers : 0;
            if (holders == 0)
            {
                e.State = DirectoryState.Uncached;
                LineDoneForDma(key, t, outbox);
                Release(line, e, t, outbox);
                return;
            }

            Begin(e, kind, -1);
            e.Dma = key;
            SendInvalidations(e, holders, t, outbox);
            return;
        }

        _port.Read(line, t, outbox); // the page goes to the disk; the DMA's fence waits for it
        if (e.State == DirectoryState.Exclusive)
        {
            Begin(e, kind, -1);
            e.Dma = key;
            e.AwaitingForward = e.Owner;
            _forwardsSent++;
            Send(_layout.Processor(e.Owner), t, new Forward(new LineAddress(line), Invalidate: false), outbox);
            return;
        }

        LineDoneForDma(key, t, outbox);
        Release(line, e, t, outbox);
    }

    private void Complete(long line, DirectoryEntry e, long t, ICoherenceOutbox outbox)
    {
        int requester = e.Requester;
        switch (e.Tx)
        {
            case DirectoryTransaction.Read:
                // The old owner keeps a shared copy if it still had the line; if not, the reader is alone: exclusive.
                ulong sharers = Bit(requester) | (e.OwnerKeptCopy && e.Owner >= 0 ? Bit(e.Owner) : 0);
                bool alone = sharers == Bit(requester);
                e.State = alone ? DirectoryState.Exclusive : DirectoryState.Shared;
                e.Owner = alone ? requester : -1;
                e.Sharers = alone ? 0 : sharers;
                Send(_layout.Processor(requester), Math.Max(t, e.DataReadyPs), new DataReply(new LineAddress(line), Exclusive: alone, _memoryWords.Of(line)), outbox, e.DataSequence);
                break;
            case DirectoryTransaction.ReadExclusive:
                GrantExclusive(e, requester, Math.Max(t, e.DataReadyPs), outbox, e.DataSequence);
                break;
            case DirectoryTransaction.DmaToMemory:
                e.State = DirectoryState.Uncached;
                e.Owner = -1;
                e.Sharers = 0;
                LineDoneForDma(e.Dma, t, outbox);
                break;
            case DirectoryTransaction.DmaFromMemory:
                bool kept = e.OwnerKeptCopy && e.Owner >= 0;
                e.State = kept ? DirectoryState.Shared : DirectoryState.Uncached;
                e.Sharers = kept ? Bit(e.Owner) : 0;
                e.Owner = -1;
                LineDoneForDma(e.Dma, t, outbox);
                break;
            default:
                throw new InvalidOperationException($"directory {_node}: line {line:x} completes with no transaction");
        }

        e.Tx = DirectoryTransaction.None;
        e.Requester = -1;
        e.Dma = default;
        e.OwnerKeptCopy = false;
        e.DataSequence = 0;
        e.DataReadyPs = 0;
        Release(line, e, t, outbox);
    }

    /// <summary>The line is idle again: serve the requests that waited for it, then forget it if nobody holds it.</summary>
    private void Release(long line, DirectoryEntry e, long t, ICoherenceOutbox outbox)
    {
        while (e.Tx == DirectoryTransaction.None && e.Waiting is { Count: > 0 })
        {
            var next = e.Waiting.Dequeue();
            long start = _controller.Occupy(t);
            switch (next.Kind)
            {
                case DirectoryTransaction.Read:
                    StartRead(e, next.Requester, start, outbox);
                    break;
                case DirectoryTransaction.ReadExclusive:
                    StartReadExclusive(e, next.Requester, start, outbox);
                    break;
                default:
                    StartDma(line, e, next.Kind, next.Dma, start, outbox);
                    break;
            }
        }

        if (e.Tx == DirectoryTransaction.None && e.State == DirectoryState.Uncached && e.Waiting is not { Count: > 0 })
        {
            _lines.Forget(line);
        }
    }

    private void GrantExclusive(DirectoryEntry e, int requester, long readyPs, ICoherenceOutbox outbox, long data)
    {
        e.State = DirectoryState.Exclusive;
        e.Owner = requester;
        e.Sharers = 0;
        Send(_layout.Processor(requester), readyPs, new DataReply(new LineAddress(e.Line), Exclusive: true, _memoryWords.Of(e.Line)), outbox, data);
    }

    private void SendInvalidations(DirectoryEntry e, ulong targets, long t, ICoherenceOutbox outbox)
    {
        e.PendingAcks = BitOperations.PopCount(targets);
        for (int n = 0; n < _p.Nodes; n++)
        {
            if ((targets & Bit(n)) != 0)
            {
                _invalidationsSent++;
                Send(_layout.Processor(n), t, new Invalidate(new LineAddress(e.Line)), outbox);
            }
        }
    }

    private static void Begin(DirectoryEntry e, DirectoryTransaction tx, int requester)
    {
        e.Tx = tx;
        e.Requester = requester;
        e.PendingAcks = 0;
        e.AwaitingForward = -1;
        e.OwnerKeptCopy = false;
    }

    private void Enqueue(DirectoryEntry e, WaitingRequest p)
    {
        _queuedRequests++;
        (e.Waiting ??= new Queue<WaitingRequest>()).Enqueue(p);
    }

    private void LineDoneForDma(DmaKey key, long t, ICoherenceOutbox outbox)
    {
        if (_dma.LineDone(key) is not { } op)
        {
            return;
        }

        // Done when memory has finished with the page's lines: the controller says so.
        Send(_layout.Disk(op.Key.Disk), t, new DmaDone(new MachinePage(op.Page), op.Key.Tag), outbox, _port.Fence(t, outbox));
    }

    private void CountMiss(long line, int node, bool write, long nowPs, long t, ICoherenceOutbox outbox)
    {
        if (_hotPages.CountMiss(line >> _linesPerPageShift, node, write, nowPs) is var (target, interrupt))
        {
            Send(target, t, interrupt, outbox);
        }
    }

    /// <summary>Misses of <paramref name="node"/> to <paramref name="page"/> in the interval that contains <paramref name="nowPs"/>.</summary>
    public int MissesOf(MachinePage page, NodeId node, long nowPs) => _hotPages.MissesOf(page, node, nowPs);

    /// <summary>
    /// The outbound port is FIFO: nothing leaves before what was sent earlier, which keeps every path in order; a
    /// message that needs memory's data (<paramref name="data"/>: the read's sequence number, 0 if none) waits for it.
    /// </summary>
    private void Send(ComponentId target, long readyPs, ISimMessage message, ICoherenceOutbox outbox, long data = 0) =>
        _port.Send(target, readyPs, message, outbox, data);

    private static ulong Bit(int node) => 1UL << node;

    /// <summary>
    /// The port, the timing, the counters, the hot-page counters, the DMA pages in progress, then every recorded line.
    /// </summary>
    public void DeclareState(ref StateIo io)
    {
        io.Part(_port);
        io.Part(_controller);
        io.Counter("hw.dir.reads", ref _readRequests);
        io.Counter("hw.dir.read_exclusives", ref _readExclusiveRequests);
        io.Counter("hw.dir.upgrades", ref _upgrades);
        io.Counter("hw.dir.writebacks", ref _writebacks);
        io.Counter("hw.dir.invalidations", ref _invalidationsSent);
        io.Counter("hw.dir.forwards", ref _forwardsSent);
        io.Counter("hw.dir.queued_requests", ref _queuedRequests);
        io.Part(_hotPages);
        io.Part(_dma);
        io.Part(_lines);
        io.Part(_memoryWords);
    }
}
