using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// The bare OS's physical page allocator: one component, because placement is a machine-wide decision (which node
/// has free pages, who touched a shared page first). A page fault is a round trip to it, and the round trip's latency
/// is the fault's cost. Pages are handed out per node in order; a full node passes the page to the next one.
/// </summary>
public sealed class BareMemoryManager : Component
{
    public const string KindName = "bare.memory";

    private readonly PagePlacement _placement;
    private readonly MachineLayout _layout;
    private readonly int _nodes;
    private readonly long _pagesPerNode;
    private readonly long _replyLatencyPs;
    private readonly long _zeroFillPs;

    // State: see DeclareState.
    private readonly long[] _used;
    private long _roundRobin;
    private readonly Dictionary<SegmentPage, long> _shared = [];
    private long _faults;
    private long _sharedHits;

    /// <param name="replyLatencyPs">Latency of the reply path (the link's).</param>
    /// <param name="zeroFillPs">Extra time before the reply when the page is new and must be zeroed.</param>
    public BareMemoryManager(ComponentId id, MachineParams machine, MachineLayout layout, PagePlacement placement, long replyLatencyPs, long zeroFillPs = 0)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(layout);
        _placement = placement;
        _layout = layout;
        _nodes = machine.Nodes;
        _pagesPerNode = machine.PagesPerNode;
        _replyLatencyPs = replyLatencyPs;
        _zeroFillPs = zeroFillPs;
        _used = new long[_nodes];
    }

    public override string Kind => KindName;

    public override int PlacementKey => 0;

    public long PagesInUse => _used.Sum();

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (message is not PageFault m)
        {
            throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }

        _faults++;
        long page;
        long delay = _replyLatencyPs;
        if (m.Page.IsShared && _shared.TryGetValue(m.Page, out long existing))
        {
            _sharedHits++;
            page = existing;
        }
        else
        {
            delay += _zeroFillPs;
            page = Allocate(m.Node.Value);
            if (m.Page.IsShared)
            {
                _shared[m.Page] = page;
            }
        }

        context.Send(_layout.Processor(m.Node.Value), new SimTime(delay), new PageFaultReply(m.Process, m.Vpn, new MachinePage(page)));
    }

    private long Allocate(int requester)
    {
        int first = _placement == PagePlacement.FirstTouch ? requester : (int)(_roundRobin++ % _nodes);
        for (int i = 0; i < _nodes; i++)
        {
            int node = (first + i) % _nodes;
            if (_used[node] < _pagesPerNode)
            {
                return (node * _pagesPerNode) + _used[node]++;
            }
        }

        throw new BadInputException("disco.machine.memory-mb", $"machine memory is full ({_nodes * _pagesPerNode} pages): the workload touches more; give the machine more memory");
    }

    public override void DeclareState(ref StateIo io)
    {
        long totalPages = _nodes * _pagesPerNode;
        io.Longs("pages used per node", _used, 0, _pagesPerNode);
        io.Long("round robin", ref _roundRobin, 0);
        io.Map(
            "shared pages",
            _shared,
            (int)Math.Min(int.MaxValue, totalPages),
            static (ref StateIo io, ref SegmentPage key) => io.Value("shared page", ref key),
            (ref StateIo io, ref long page) => io.Long("machine page", ref page, 0, totalPages - 1));
        io.Counter("bare.allocator.faults", ref _faults);
        io.Counter("bare.allocator.shared_hits", ref _sharedHits);
    }

    public override void ReportStats(IStatsSink sink)
    {
        base.ReportStats(sink);
        sink.Add("memory_pages.machine", PagesInUse);
    }
}
