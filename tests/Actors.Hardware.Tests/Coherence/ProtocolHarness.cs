using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;
using CoherenceDirectory = Disco.Actors.Hardware.Coherence.Directory;

namespace Disco.Actors.Hardware.Tests.Coherence;

/// <summary>
/// Drives the protocol's pure classes (the processors' <see cref="CacheController"/>s, the nodes'
/// <see cref="CoherenceDirectory"/>s and their <see cref="MemoryController"/>s) with random accesses and random
/// delivery orders. Each (sender, receiver) pair is
/// a FIFO channel, which is all the protocol assumes of the machine; which channel delivers next is random, so the
/// harness explores far more interleavings than the timed machine can produce. A fake disk issues DMA requests.
/// </summary>
internal sealed class ProtocolHarness : ICoherenceOutbox
{
    private readonly Random _random;
    private readonly MachineLayout _layout;
    private readonly Dictionary<(int From, int To), Queue<ISimMessage>> _channels = [];
    private readonly List<(int From, int To)> _channelOrder = [];
    private readonly (long Address, AccessKind Kind)?[] _pending;
    private readonly long[] _addresses;
    private int _sender;
    private long _nowPs;
    private long _dmaTag;
    private int _dmaOutstanding;

    public ProtocolHarness(int nodes, int seed, int linesPerNode = 12, bool dma = true)
    {
        _random = new Random(seed);
        Params = new MachineParams
        {
            Nodes = nodes,
            MemoryBytes = (long)nodes * 16 * MachineConstants.PageSizeBytes,
            L1 = new CacheGeometry(256, 2, 64),
            L2 = new CacheGeometry(1024, 2, 128), // 8 lines: evictions and writebacks all the time
            Disks = dma ? 1 : 0,
            HotPageThreshold = 3,
            HotPageTarget = HotPageTarget.Home,
        };
        _layout = new MachineLayout(nodes, Params.Disks);
        Controllers = [.. Enumerable.Range(0, nodes).Select(n => new CacheController(new CacheHierarchy(Params.L1, Params.L2), new NodeId(n), _layout, HomeMap.Of(Params)))];
        Directories = [.. Enumerable.Range(0, nodes).Select(n => new CoherenceDirectory(Params, _layout, new NodeId(n)))];
        Memories = [.. Enumerable.Range(0, nodes).Select(n => new MemoryController(Params, _layout.Directory(n)))];
        _pending = new (long, AccessKind)?[nodes];

        // A few lines on every node, some in the same page (DMA hits several at once), some in the same L2 set.
        var lines = new List<long>();
        for (int n = 0; n < nodes; n++)
        {
            long firstLine = n * Params.PagesPerNode * Params.LinesPerPage;
            for (int i = 0; i < linesPerNode; i++)
            {
                lines.Add(firstLine + (i % 4) + ((i / 4) * Params.LinesPerPage));
            }
        }

        _addresses = [.. lines.Select(l => l << Params.L2.LineShift)];
        Lines = [.. lines];
    }

    public MachineParams Params { get; }

    public CacheController[] Controllers { get; }

    public CoherenceDirectory[] Directories { get; }

    public MemoryController[] Memories { get; }

    public IReadOnlyList<long> Lines { get; }

    public long Accesses { get; private set; }

    public long Deliveries { get; private set; }

    public long DmaCompleted { get; private set; }

    public long HotPageInterrupts { get; private set; }

    public bool Quiet => _channels.Values.All(q => q.Count == 0) && _pending.All(p => p is null) && _dmaOutstanding == 0;

    /// <summary>One random step: a new access by an idle processor, a DMA, or the delivery of one channel's head.</summary>
    public void Step(bool allowNewWork = true)
    {
        _nowPs += 1000;
        var busy = _channelOrder.Where(c => _channels[c].Count > 0).ToList();
        int roll = _random.Next(100);
        if (allowNewWork && roll < 40)
        {
            int n = _random.Next(_pending.Length);
            if (_pending[n] is null)
            {
                Access(n);
                return;
            }
        }

        if (allowNewWork && roll == 40 && Params.Disks > 0 && _dmaOutstanding < 2)
        {
            long page = Lines[_random.Next(Lines.Count)] / Params.LinesPerPage;
            _dmaOutstanding++;
            _sender = _layout.Disk(0).Value;
            Send(_layout.Directory((int)(page / Params.PagesPerNode)), _nowPs, new DmaRequest(new MachinePage(page), new DmaKey(0, _dmaTag++), ToMemory: _random.Next(2) == 0));
            return;
        }

        if (busy.Count > 0)
        {
            Deliver(busy[_random.Next(busy.Count)]);
        }
    }

    /// <summary>Delivers everything in flight, with no new work, until the system is quiet.</summary>
    public void Drain(Action afterEachStep)
    {
        for (int guard = 0; !Quiet; guard++)
        {
            if (guard > 100_000)
            {
                throw new InvalidOperationException("the protocol did not quiesce: a request is stuck");
            }

            Step(allowNewWork: false);
            afterEachStep();
        }
    }

    private void Access(int n)
    {
        Accesses++;
        long address = _addresses[_random.Next(_addresses.Length)] + (_random.Next(2) * 64);
        var kind = (AccessKind)_random.Next(3);
        var r = Controllers[n].Caches.Access(address, kind);
        if (r is AccessResult.Miss or AccessResult.Upgrade)
        {
            _pending[n] = (address, kind);
            _sender = n;
            Controllers[n].BeginMiss(address, kind, _nowPs, this);
        }
    }

    private void Deliver((int From, int To) channel)
    {
        Deliveries++;
        var m = _channels[channel].Dequeue();
        int to = channel.To;
        _sender = to;
        var target = new ComponentId(to);
        if (_layout.IsDirectory(target))
        {
            var d = Directories[to - _layout.Nodes];
            switch (m)
            {
                case ReadRequest r: d.OnRead(r, _nowPs, this); break;
                case ReadExclusiveRequest r: d.OnReadExclusive(r, _nowPs, this); break;
                case WritebackRequest r: d.OnWriteback(r, _nowPs, this); break;
                case InvalidateAck r: d.OnInvalidateAck(r, _nowPs, this); break;
                case ForwardReply r: d.OnForwardReply(r, _nowPs, this); break;
                case DmaRequest r: d.OnDma(r, _nowPs, this); break;
                case MemoryData r: d.OnMemoryData(r, _nowPs, this); break;
                case MemoryFenceDone r: d.OnMemoryFenceDone(r, _nowPs, this); break;
                default: throw new InvalidOperationException($"directory got {m}");
            }
        }
        else if (_layout.IsMemoryController(target))
        {
            var mc = Memories[to - (2 * _layout.Nodes)];
            switch (m)
            {
                case MemoryRead r: mc.OnRead(r, _nowPs, this); break;
                case MemoryWrite r: mc.OnWrite(r, _nowPs); break;
                case MemoryFence r: mc.OnFence(r, _nowPs, this); break;
                default: throw new InvalidOperationException($"memory controller got {m}");
            }
        }
        else if (_layout.IsDisk(target))
        {
            Assert.IsType<DmaDone>(m);
            _dmaOutstanding--;
            DmaCompleted++;
        }
        else
        {
            var c = Controllers[to];
            switch (m)
            {
                case DataReply r:
                    var (address, kind) = _pending[to] ?? throw new InvalidOperationException($"node {to} got data it did not ask for");
                    c.OnData(r, address, kind);
                    _pending[to] = null;
                    // The access that missed now completes: it must hit (nothing ran in between).
                    Assert.Equal(AccessResult.L1Hit, c.Caches.Access(address, kind));
                    break;
                case Invalidate r: c.OnInvalidate(r, _nowPs, this); break;
                case Forward r: c.OnForward(r, _nowPs, this); break;
                case HotPageInterrupt: HotPageInterrupts++; break;
                default: throw new InvalidOperationException($"processor got {m}");
            }
        }
    }

    public void Send(ComponentId target, long leavePs, ISimMessage message)
    {
        var key = (_sender, target.Value);
        if (!_channels.TryGetValue(key, out var q))
        {
            q = new Queue<ISimMessage>();
            _channels[key] = q;
            _channelOrder.Add(key);
        }

        q.Enqueue(message);
    }

    /// <summary>Null when the invariants hold for every line, else what is wrong.</summary>
    public string? Violation()
    {
        foreach (long line in Lines)
        {
            var states = Controllers.Select(c => c.Caches.StateOf(line)).ToArray();
            var holders = Enumerable.Range(0, states.Length).Where(n => states[n] != L2State.Invalid).ToArray();
            var writers = holders.Where(n => states[n] is L2State.Exclusive or L2State.Modified).ToArray();
            if (writers.Length > 1 || (writers.Length == 1 && holders.Length > 1))
            {
                return $"line {line:x}: writers [{string.Join(",", writers)}] with holders [{string.Join(",", holders)}]";
            }

            int home = Controllers[0].HomeOf(line);
            var v = Directories[home].View(new LineAddress(line));
            bool agrees = v.State switch
            {
                DirectoryState.Uncached => holders.Length == 0,
                DirectoryState.Shared => writers.Length == 0 && holders.All(n => (v.Sharers & (1UL << n)) != 0),
                _ => holders.All(n => n == v.Owner),
            };
            if (!agrees)
            {
                return $"line {line:x}: directory {v} but caches [{string.Join(",", states)}]";
            }
        }

        foreach (var c in Controllers)
        {
            foreach (var l1 in new[] { c.Caches.L1I, c.Caches.L1D })
            {
                for (int s = 0; s < l1.Slots; s++)
                {
                    if (l1.StateAt(s) != SetAssociativeCache.Invalid && c.Caches.StateOf(l1.LineAt(s) >> (Params.L2.LineShift - Params.L1.LineShift)) == L2State.Invalid)
                    {
                        return $"node {c.Node}: L1 line {l1.LineAt(s):x} is not in the L2 (inclusion broken)";
                    }
                }
            }
        }

        return null;
    }
}
