using System.Numerics;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>What the directory records for a line (a line it does not record is uncached).</summary>
public enum DirectoryState : byte
{
    Uncached = 0,
    Shared = 1,

    /// <summary>One node may hold it exclusive or modified (MESI's E and M look the same from the home).</summary>
    Exclusive = 2,
}

/// <summary>A read-only view of one line's directory entry, for tests and invariant checks.</summary>
public readonly record struct DirectoryView(DirectoryState State, ulong Sharers, int Owner, bool Busy, int Waiting);

/// <summary>
/// The home side of the coherence protocol for the lines of one node's memory, with the node controller's timing:
/// a full bit-vector directory (MESI), a controller that is busy a fixed occupancy per message, a memory that is busy
/// per line read or written (queueing comes from both), and a FIFO outbound port. A line with a transaction in
/// progress (waiting for invalidation acknowledgements or the owner's reply) is busy: later requests for it wait in
/// its queue. It also counts misses per (page, requesting node) and raises hot-page interrupts.
/// Pure state: the directory component hosts it, the property tests drive it directly.
/// </summary>
public sealed class Directory
{
    private const byte TxRead = 1;
    private const byte TxReadExclusive = 2;
    private const byte TxDmaToMemory = 3;
    private const byte TxDmaFromMemory = 4;

    private readonly MachineParams _p;
    private readonly MachineLayout _layout;
    private readonly int _node;
    private readonly int _linesPerPageShift;
    private readonly ComponentId? _hotPageComponent;
    private readonly Dictionary<long, LineEntry> _lines = [];
    private readonly Dictionary<long, PageCounters> _pages = [];
    private readonly Dictionary<long, DmaPage> _dma = [];
    private long _controllerFreePs;
    private long _memoryFreePs;
    private long _lastLeavePs;

    public Directory(MachineParams parameters, MachineLayout layout, NodeId node, ComponentId? hotPageComponent = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        _p = parameters;
        _layout = layout;
        _node = node.Value;
        _linesPerPageShift = MachineConstants.PageShift - parameters.L2.LineShift;
        _hotPageComponent = hotPageComponent;
        if (parameters.HotPageTarget == HotPageTarget.Component && hotPageComponent is null)
        {
            throw new ArgumentException("a hot-page target component must be given when HotPageTarget is Component");
        }
    }

    public NodeId Node => new(_node);

    // Counters (reported by the component).
    public long ReadRequests { get; private set; }

    public long ReadExclusiveRequests { get; private set; }

    public long Upgrades { get; private set; }

    public long Writebacks { get; private set; }

    public long InvalidationsSent { get; private set; }

    public long ForwardsSent { get; private set; }

    public long MemoryReads { get; private set; }

    public long MemoryWrites { get; private set; }

    public long HotPageInterrupts { get; private set; }

    public long DmaPages { get; private set; }

    /// <summary>Requests that found their line busy and waited in its queue.</summary>
    public long QueuedRequests { get; private set; }

    /// <summary>Total time messages waited for the controller (contention).</summary>
    public long ControllerQueuePs { get; private set; }

    /// <summary>Total time memory accesses waited for the memory (contention).</summary>
    public long MemoryQueuePs { get; private set; }

    public int TrackedLines => _lines.Count;

    public DirectoryView View(LineAddress line) =>
        _lines.TryGetValue(line.Value, out var e)
            ? new DirectoryView(e.State, e.Sharers, e.Owner, e.Tx != 0, e.Waiting?.Count ?? 0)
            : new DirectoryView(DirectoryState.Uncached, 0, -1, false, 0);

    public IEnumerable<long> Lines => _lines.Keys;

    public bool IsHome(LineAddress line) => HomeOf(line.Value) == _node;

    public int HomeOf(long line) => (int)((line >> _linesPerPageShift) / _p.PagesPerNode);

    public void OnRead(ReadRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        ReadRequests++;
        long t = Occupy(nowPs);
        CountMiss(m.Line.Value, m.Requester.Value, write: false, nowPs, t, outbox);
        var e = Entry(m.Line.Value);
        if (e.Tx != 0 || e.Waiting is { Count: > 0 })
        {
            Enqueue(e, new Pending(TxRead, m.Requester.Value));
            return;
        }

        StartRead(e, m.Requester.Value, t, outbox);
    }

    public void OnReadExclusive(ReadExclusiveRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        ReadExclusiveRequests++;
        long t = Occupy(nowPs);
        CountMiss(m.Line.Value, m.Requester.Value, write: true, nowPs, t, outbox);
        var e = Entry(m.Line.Value);
        if (e.Tx != 0 || e.Waiting is { Count: > 0 })
        {
            Enqueue(e, new Pending(TxReadExclusive, m.Requester.Value));
            return;
        }

        StartReadExclusive(e, m.Requester.Value, t, outbox);
    }

    public void OnWriteback(WritebackRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        Writebacks++;
        long t = Occupy(nowPs);
        MemoryWrite(t);
        int from = m.Requester.Value;
        if (!_lines.TryGetValue(m.Line.Value, out var e) || e.State != DirectoryState.Exclusive || e.Owner != from)
        {
            // Paths are FIFO, so the home still records the writer as owner: anything else is a protocol bug.
            throw new InvalidOperationException($"directory {_node}: writeback of line {m.Line} from node {from}, which does not own it ({View(m.Line)})");
        }

        if (e.Tx != 0)
        {
            // The owner evicted the line before our forward or invalidation reached it: it will answer "no copy",
            // and memory now has the data.
            e.OwnerWroteBack = true;
            return;
        }

        e.State = DirectoryState.Uncached;
        e.Owner = -1;
        Release(m.Line.Value, e, t, outbox);
    }

    public void OnInvalidateAck(InvalidateAck m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        long t = Occupy(nowPs);
        if (!_lines.TryGetValue(m.Line.Value, out var e) || e.Tx == 0 || e.PendingAcks <= 0)
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
        long t = Occupy(nowPs);
        if (!_lines.TryGetValue(m.Line.Value, out var e) || e.Tx == 0 || e.AwaitingForward != m.From.Value)
        {
            throw new InvalidOperationException($"directory {_node}: unexpected forward reply for line {m.Line} from node {m.From.Value} ({View(m.Line)})");
        }

        e.AwaitingForward = -1;
        e.OwnerKeptCopy = m.KeptCopy;
        if (m.Dirty)
        {
            // The owner's data goes to memory and on to the requester: no need to wait for the speculative read.
            MemoryWrite(t);
            e.DataReadyPs = t;
        }

        if (e.PendingAcks == 0)
        {
            Complete(m.Line.Value, e, t, outbox);
        }
    }

    public void OnDma(DmaRequest m, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(m);
        DmaPages++;
        long t = Occupy(nowPs);
        long key = DmaKey(m.Disk, m.Tag);
        var op = new DmaPage(m.Page.Value, m.Disk, m.Tag, m.ToMemory, 1 << _linesPerPageShift);
        if (!_dma.TryAdd(key, op))
        {
            throw new InvalidOperationException($"directory {_node}: DMA tag {m.Tag} of disk {m.Disk} is already in progress");
        }

        long first = m.Page.Value << _linesPerPageShift;
        for (long line = first; line < first + (1L << _linesPerPageShift); line++)
        {
            var e = Entry(line);
            byte kind = m.ToMemory ? TxDmaToMemory : TxDmaFromMemory;
            if (e.Tx != 0 || e.Waiting is { Count: > 0 })
            {
                Enqueue(e, new Pending(kind, -1, key));
            }
            else
            {
                StartDma(line, e, kind, key, t, outbox);
            }
        }
    }

    private void StartRead(LineEntry e, int requester, long t, ICoherenceOutbox outbox)
    {
        switch (e.State)
        {
            case DirectoryState.Exclusive when e.Owner != requester:
                Begin(e, TxRead, requester);
                e.DataReadyPs = MemoryRead(t); // speculative, used if the owner's copy was clean
                e.AwaitingForward = e.Owner;
                ForwardsSent++;
                Send(_layout.Processor(e.Owner), t, new Forward(new LineAddress(e.Line), Invalidate: false), outbox);
                break;
            case DirectoryState.Shared:
                e.Sharers |= Bit(requester);
                Send(_layout.Processor(requester), MemoryRead(t), new DataReply(new LineAddress(e.Line), Exclusive: false), outbox);
                break;
            default:
                // Uncached, or the recorded owner is the requester itself (it dropped a clean exclusive line).
                e.State = DirectoryState.Exclusive;
                e.Owner = requester;
                e.Sharers = 0;
                Send(_layout.Processor(requester), MemoryRead(t), new DataReply(new LineAddress(e.Line), Exclusive: true), outbox);
                break;
        }
    }

    private void StartReadExclusive(LineEntry e, int requester, long t, ICoherenceOutbox outbox)
    {
        switch (e.State)
        {
            case DirectoryState.Exclusive when e.Owner != requester:
                Begin(e, TxReadExclusive, requester);
                e.DataReadyPs = MemoryRead(t);
                e.AwaitingForward = e.Owner;
                ForwardsSent++;
                Send(_layout.Processor(e.Owner), t, new Forward(new LineAddress(e.Line), Invalidate: true), outbox);
                break;
            case DirectoryState.Shared:
                ulong others = e.Sharers & ~Bit(requester);
                bool upgrade = (e.Sharers & Bit(requester)) != 0;
                if (upgrade)
                {
                    Upgrades++;
                }

                long ready = upgrade ? t : MemoryRead(t);
                if (others == 0)
                {
                    GrantExclusive(e, requester, ready, outbox);
                    break;
                }

                Begin(e, TxReadExclusive, requester);
                e.DataReadyPs = ready;
                SendInvalidations(e, others, t, outbox);
                break;
            default:
                GrantExclusive(e, requester, MemoryRead(t), outbox);
                break;
        }
    }

    private void StartDma(long line, LineEntry e, byte kind, long key, long t, ICoherenceOutbox outbox)
    {
        if (kind == TxDmaToMemory)
        {
            MemoryWrite(t);
            ulong holders = e.State == DirectoryState.Exclusive ? Bit(e.Owner) : e.State == DirectoryState.Shared ? e.Sharers : 0;
            if (holders == 0)
            {
                e.State = DirectoryState.Uncached;
                LineDoneForDma(key, t, outbox);
                Release(line, e, t, outbox);
                return;
            }

            Begin(e, kind, -1);
            e.DmaKey = key;
            SendInvalidations(e, holders, t, outbox);
            return;
        }

        MemoryRead(t);
        if (e.State == DirectoryState.Exclusive)
        {
            Begin(e, kind, -1);
            e.DmaKey = key;
            e.AwaitingForward = e.Owner;
            ForwardsSent++;
            Send(_layout.Processor(e.Owner), t, new Forward(new LineAddress(line), Invalidate: false), outbox);
            return;
        }

        LineDoneForDma(key, t, outbox);
        Release(line, e, t, outbox);
    }

    private void Complete(long line, LineEntry e, long t, ICoherenceOutbox outbox)
    {
        int requester = e.Requester;
        switch (e.Tx)
        {
            case TxRead:
                // The old owner keeps a shared copy if it still had the line; if not, the reader is alone: exclusive.
                ulong sharers = Bit(requester) | (e.OwnerKeptCopy && e.Owner >= 0 ? Bit(e.Owner) : 0);
                bool alone = sharers == Bit(requester);
                e.State = alone ? DirectoryState.Exclusive : DirectoryState.Shared;
                e.Owner = alone ? requester : -1;
                e.Sharers = alone ? 0 : sharers;
                Send(_layout.Processor(requester), Math.Max(t, e.DataReadyPs), new DataReply(new LineAddress(line), Exclusive: alone), outbox);
                break;
            case TxReadExclusive:
                GrantExclusive(e, requester, Math.Max(t, e.DataReadyPs), outbox);
                break;
            case TxDmaToMemory:
                e.State = DirectoryState.Uncached;
                e.Owner = -1;
                e.Sharers = 0;
                LineDoneForDma(e.DmaKey, t, outbox);
                break;
            case TxDmaFromMemory:
                bool kept = e.OwnerKeptCopy && e.Owner >= 0;
                e.State = kept ? DirectoryState.Shared : DirectoryState.Uncached;
                e.Sharers = kept ? Bit(e.Owner) : 0;
                e.Owner = -1;
                LineDoneForDma(e.DmaKey, t, outbox);
                break;
            default:
                throw new InvalidOperationException($"directory {_node}: line {line:x} completes with no transaction");
        }

        e.Tx = 0;
        e.Requester = -1;
        e.DmaKey = 0;
        e.OwnerWroteBack = false;
        e.OwnerKeptCopy = false;
        e.DataReadyPs = 0;
        Release(line, e, t, outbox);
    }

    /// <summary>The line is idle again: serve the requests that waited for it, then forget it if nobody holds it.</summary>
    private void Release(long line, LineEntry e, long t, ICoherenceOutbox outbox)
    {
        while (e.Tx == 0 && e.Waiting is { Count: > 0 })
        {
            var next = e.Waiting.Dequeue();
            long start = Occupy(t);
            switch (next.Kind)
            {
                case TxRead:
                    StartRead(e, next.Requester, start, outbox);
                    break;
                case TxReadExclusive:
                    StartReadExclusive(e, next.Requester, start, outbox);
                    break;
                default:
                    StartDma(line, e, next.Kind, next.DmaKey, start, outbox);
                    break;
            }
        }

        if (e.Tx == 0 && e.State == DirectoryState.Uncached && e.Waiting is not { Count: > 0 })
        {
            _lines.Remove(line);
        }
    }

    private void GrantExclusive(LineEntry e, int requester, long leavePs, ICoherenceOutbox outbox)
    {
        e.State = DirectoryState.Exclusive;
        e.Owner = requester;
        e.Sharers = 0;
        Send(_layout.Processor(requester), leavePs, new DataReply(new LineAddress(e.Line), Exclusive: true), outbox);
    }

    private void SendInvalidations(LineEntry e, ulong targets, long t, ICoherenceOutbox outbox)
    {
        e.PendingAcks = BitOperations.PopCount(targets);
        for (int n = 0; n < _p.Nodes; n++)
        {
            if ((targets & Bit(n)) != 0)
            {
                InvalidationsSent++;
                Send(_layout.Processor(n), t, new Invalidate(new LineAddress(e.Line)), outbox);
            }
        }
    }

    private static void Begin(LineEntry e, byte tx, int requester)
    {
        e.Tx = tx;
        e.Requester = requester;
        e.PendingAcks = 0;
        e.AwaitingForward = -1;
        e.OwnerWroteBack = false;
        e.OwnerKeptCopy = false;
    }

    private void Enqueue(LineEntry e, Pending p)
    {
        QueuedRequests++;
        (e.Waiting ??= new Queue<Pending>()).Enqueue(p);
    }

    private void LineDoneForDma(long key, long t, ICoherenceOutbox outbox)
    {
        var op = _dma[key];
        if (--op.RemainingLines > 0)
        {
            return;
        }

        _dma.Remove(key);
        // Done when memory has finished with the page's lines.
        Send(_layout.Disk(op.Disk), Math.Max(t, _memoryFreePs), new DmaDone(new MachinePage(op.Page), op.Tag), outbox);
    }

    private void CountMiss(long line, int node, bool write, long nowPs, long t, ICoherenceOutbox outbox)
    {
        long page = line >> _linesPerPageShift;
        long interval = nowPs / _p.HotPageIntervalPs;
        if (!_pages.TryGetValue(page, out var c))
        {
            c = new PageCounters(_p.Nodes);
            _pages[page] = c;
        }

        if (c.Interval != interval)
        {
            // Counters reset every interval, lazily: the first miss of a new interval starts from zero.
            c.Interval = interval;
            Array.Clear(c.Misses);
            c.Writes = 0;
        }

        if (write)
        {
            c.Writes++;
        }

        int misses = ++c.Misses[node];
        if (_p.HotPageThreshold > 0 && misses == _p.HotPageThreshold && _p.HotPageTarget != HotPageTarget.None)
        {
            HotPageInterrupts++;
            var target = _p.HotPageTarget switch
            {
                HotPageTarget.Requester => _layout.Processor(node),
                HotPageTarget.Home => _layout.Processor(_node),
                _ => _hotPageComponent!.Value,
            };
            Send(target, t, new HotPageInterrupt(new MachinePage(page), new NodeId(node), misses, c.Writes), outbox);
        }
    }

    /// <summary>Misses of <paramref name="node"/> to <paramref name="page"/> in the interval that contains <paramref name="nowPs"/>.</summary>
    public int MissesOf(MachinePage page, NodeId node, long nowPs) =>
        _pages.TryGetValue(page.Value, out var c) && c.Interval == nowPs / _p.HotPageIntervalPs ? c.Misses[node.Value] : 0;

    private long Occupy(long nowPs)
    {
        long start = Math.Max(nowPs, _controllerFreePs);
        ControllerQueuePs += start - nowPs;
        _controllerFreePs = start + _p.ControllerOccupancyPs;
        return _controllerFreePs;
    }

    private long MemoryRead(long t)
    {
        MemoryReads++;
        long start = Math.Max(t, _memoryFreePs);
        MemoryQueuePs += start - t;
        _memoryFreePs = start + _p.MemoryOccupancyPs;
        return start + _p.MemoryLatencyPs;
    }

    private void MemoryWrite(long t)
    {
        MemoryWrites++;
        long start = Math.Max(t, _memoryFreePs);
        MemoryQueuePs += start - t;
        _memoryFreePs = start + _p.MemoryOccupancyPs;
    }

    /// <summary>The outbound port is FIFO: nothing leaves before what left earlier, which keeps every path in order.</summary>
    private void Send(ComponentId target, long leavePs, ISimMessage message, ICoherenceOutbox outbox)
    {
        long leave = Math.Max(leavePs, _lastLeavePs);
        _lastLeavePs = leave;
        outbox.Send(target, leave, message);
    }

    private LineEntry Entry(long line)
    {
        if (!_lines.TryGetValue(line, out var e))
        {
            if (HomeOf(line) != _node)
            {
                throw new InvalidOperationException($"directory {_node}: line {line:x} belongs to node {HomeOf(line)}");
            }

            e = new LineEntry(line);
            _lines[line] = e;
        }

        return e;
    }

    private static ulong Bit(int node) => 1UL << node;

    private static long DmaKey(int disk, long tag) => (tag << 8) | (uint)disk;

    public void Save(ref StateWriter writer)
    {
        writer.Write(_controllerFreePs);
        writer.Write(_memoryFreePs);
        writer.Write(_lastLeavePs);
        long[] counters =
        [
            ReadRequests, ReadExclusiveRequests, Upgrades, Writebacks, InvalidationsSent, ForwardsSent, MemoryReads, MemoryWrites,
            HotPageInterrupts, DmaPages, QueuedRequests, ControllerQueuePs, MemoryQueuePs,
        ];
        writer.Write(counters);

        // Sorted, so a loaded directory saves the same bytes whatever order its dictionaries were filled in.
        writer.WriteCount(_lines.Count);
        foreach (var (line, e) in _lines.OrderBy(kv => kv.Key))
        {
            writer.Write(line);
            writer.Write((int)e.State);
            writer.Write(e.Sharers);
            writer.Write(e.Owner);
            writer.Write((int)e.Tx);
            writer.Write(e.Requester);
            writer.Write(e.PendingAcks);
            writer.Write(e.AwaitingForward);
            writer.Write(e.OwnerWroteBack);
            writer.Write(e.OwnerKeptCopy);
            writer.Write(e.DataReadyPs);
            writer.Write(e.DmaKey);
            var waiting = e.Waiting?.ToArray() ?? [];
            writer.WriteCount(waiting.Length);
            foreach (var w in waiting)
            {
                writer.Write((int)w.Kind);
                writer.Write(w.Requester);
                writer.Write(w.DmaKey);
            }
        }

        writer.WriteCount(_pages.Count);
        foreach (var (page, c) in _pages.OrderBy(kv => kv.Key))
        {
            writer.Write(page);
            writer.Write(c.Interval);
            writer.Write(c.Writes);
            writer.Write(c.Misses);
        }

        writer.WriteCount(_dma.Count);
        foreach (var (_, op) in _dma.OrderBy(kv => kv.Key))
        {
            writer.Write(op.Page);
            writer.Write(op.Disk);
            writer.Write(op.Tag);
            writer.Write(op.ToMemory);
            writer.Write(op.RemainingLines);
        }
    }

    public void Load(ref StateReader reader)
    {
        _controllerFreePs = reader.ReadLong("controller free", 0, long.MaxValue);
        _memoryFreePs = reader.ReadLong("memory free", 0, long.MaxValue);
        _lastLeavePs = reader.ReadLong("last leave", 0, long.MaxValue);
        long[] c = reader.ReadLongArray("directory counters", 13);
        if (c.Length != 13 || c.Any(v => v < 0))
        {
            throw new CorruptStateException("directory counters: expected 13 non-negative values");
        }

        (ReadRequests, ReadExclusiveRequests, Upgrades, Writebacks, InvalidationsSent, ForwardsSent, MemoryReads) = (c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
        (MemoryWrites, HotPageInterrupts, DmaPages, QueuedRequests, ControllerQueuePs, MemoryQueuePs) = (c[7], c[8], c[9], c[10], c[11], c[12]);

        _lines.Clear();
        int maxLines = (int)Math.Min(int.MaxValue, _p.PagesPerNode << _linesPerPageShift);
        int n = reader.ReadCount("directory lines", maxLines);
        int maxNode = _p.Nodes - 1;
        for (int i = 0; i < n; i++)
        {
            long line = reader.ReadLong("directory line", 0, long.MaxValue);
            if (HomeOf(line) != _node || _lines.ContainsKey(line))
            {
                throw new CorruptStateException($"directory {_node}: line {line:x} is not a distinct line of this node");
            }

            var e = new LineEntry(line)
            {
                State = (DirectoryState)reader.ReadInt("directory state", 0, 2),
                Sharers = reader.ReadULong("sharers"),
                Owner = reader.ReadInt("owner", -1, maxNode),
                Tx = (byte)reader.ReadInt("transaction", 0, TxDmaFromMemory),
                Requester = reader.ReadInt("requester", -1, maxNode),
                PendingAcks = reader.ReadInt("pending acks", 0, _p.Nodes),
                AwaitingForward = reader.ReadInt("awaiting forward", -1, maxNode),
                OwnerWroteBack = reader.ReadBool("owner wrote back"),
                OwnerKeptCopy = reader.ReadBool("owner kept copy"),
                DataReadyPs = reader.ReadLong("data ready", 0, long.MaxValue),
                DmaKey = reader.ReadLong("dma key"),
            };
            int w = reader.ReadCount("waiting requests", 4 * MachineConstants.MaxNodes + 1024);
            for (int k = 0; k < w; k++)
            {
                var p = new Pending((byte)reader.ReadInt("waiting kind", TxRead, TxDmaFromMemory), reader.ReadInt("waiting requester", -1, maxNode), reader.ReadLong("waiting dma"));
                (e.Waiting ??= new Queue<Pending>()).Enqueue(p);
            }

            _lines[line] = e;
        }

        _pages.Clear();
        int pages = reader.ReadCount("page counters", (int)Math.Min(int.MaxValue, _p.PagesPerNode));
        for (int i = 0; i < pages; i++)
        {
            long page = reader.ReadLong("counted page", 0, long.MaxValue);
            var pc = new PageCounters(_p.Nodes)
            {
                Interval = reader.ReadLong("page interval", 0, long.MaxValue),
                Writes = reader.ReadInt("page writes", 0, int.MaxValue),
            };
            int[] misses = reader.ReadIntArray("page misses", _p.Nodes);
            if (misses.Length != _p.Nodes || misses.Any(m => m < 0))
            {
                throw new CorruptStateException($"page {page}: {misses.Length} miss counters, expected {_p.Nodes}");
            }

            misses.CopyTo(pc.Misses, 0);
            _pages[page] = pc;
        }

        _dma.Clear();
        int dma = reader.ReadCount("dma pages", 1 << 16);
        for (int i = 0; i < dma; i++)
        {
            var op = new DmaPage(
                reader.ReadLong("dma page", 0, long.MaxValue),
                reader.ReadInt("dma disk", 0, 255),
                reader.ReadLong("dma tag"),
                reader.ReadBool("dma to memory"),
                reader.ReadInt("dma remaining", 1, 1 << _linesPerPageShift));
            _dma[DmaKey(op.Disk, op.Tag)] = op;
        }
    }

    private sealed class LineEntry(long line)
    {
        public long Line { get; } = line;

        public DirectoryState State { get; set; }

        public ulong Sharers { get; set; }

        public int Owner { get; set; } = -1;

        /// <summary>The transaction in progress (0: none, the line is idle).</summary>
        public byte Tx { get; set; }

        public int Requester { get; set; } = -1;

        public int PendingAcks { get; set; }

        public int AwaitingForward { get; set; } = -1;

        public bool OwnerWroteBack { get; set; }

        public bool OwnerKeptCopy { get; set; }

        /// <summary>When the memory's copy of the data is ready for the reply (a speculative or an upgrade's read).</summary>
        public long DataReadyPs { get; set; }

        public long DmaKey { get; set; }

        public Queue<Pending>? Waiting { get; set; }
    }

    private readonly record struct Pending(byte Kind, int Requester, long DmaKey = 0);

    private sealed class PageCounters(int nodes)
    {
        public long Interval { get; set; } = -1;

        public int[] Misses { get; } = new int[nodes];

        public int Writes { get; set; }
    }

    private sealed class DmaPage(long page, int disk, long tag, bool toMemory, int remainingLines)
    {
        public long Page { get; } = page;

        public int Disk { get; } = disk;

        public long Tag { get; } = tag;

        public bool ToMemory { get; } = toMemory;

        public int RemainingLines { get; set; } = remainingLines;
    }
}
