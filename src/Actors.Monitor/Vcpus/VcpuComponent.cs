using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;
using Disco.Actors.Monitor.Vms;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// A VCPU as a component (<c>monitor.vcpu</c>): it owns the VCPU's state (<see cref="Vcpu"/>) while the VCPU is parked,
/// and always knows where it is: parked here, or out on its affinity processor (loaded there, or on the way). A
/// processor runs it by asking (<see cref="VcpuFetch"/>) and receiving its state (<see cref="VcpuDispatch"/>) and hands
/// it back with <see cref="VcpuPark"/>. Virtual interrupts reach it from its VM manager: forwarded to the processor
/// while the VCPU is out, queued in its state while it is parked (then the VCPU tells its processor it is ready); so
/// do its SMP VM's shared run queue's messages to its guest part.
/// A move (<see cref="VcpuMove"/>) changes its affinity: at once when parked, after the handback when out.
/// </summary>
public sealed class VcpuComponent : Component
{
    public const string KindName = "monitor.vcpu";

    private readonly int _index;
    private readonly int _placementNode;
    private readonly MachineLayout _layout;
    private readonly Func<Vcpu> _shell;
    private readonly SimTime _ipi;
    private readonly ComponentId _pageManager;

    // State (checkpointed, in this order, then the parked VCPU's).
    private Vcpu? _vcpu;
    private int _affinity;
    private bool _readyTold;
    private int _moveTo = -1;
    private long _dispatches;
    private long _parks;
    private long _forwarded;
    private long _queued;
    private long _moves;
    private long _shootdownsParked;
    private long _shootdownsForwarded;

    /// <param name="parked">The VCPU's state when it starts parked here; null when it starts loaded on its processor.</param>
    /// <param name="shell">Builds this VCPU as the model built it (a checkpoint's parked state is read back into it).</param>
    /// <param name="ipiLatencyPs">Latency of the links to the processors (<c>disco.monitor.ipi-latency</c>).</param>
    /// <param name="pageManager">Where a shootdown's acknowledgement goes (a link of <paramref name="ipiLatencyPs"/>).</param>
    public VcpuComponent(ComponentId id, int index, int processor, MachineLayout layout, Vcpu? parked, Func<Vcpu> shell, long ipiLatencyPs, ComponentId pageManager = default)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ipiLatencyPs, 1);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(shell);
        _index = index;
        _affinity = processor;
        _placementNode = processor;
        _layout = layout;
        _vcpu = parked;
        _shell = shell;
        _ipi = new SimTime(ipiLatencyPs);
        _pageManager = pageManager;
    }

    public override string Kind => KindName;

    /// <summary>With the processor it first runs on (the FLASH node): a move does not move the component.</summary>
    public override int PlacementKey => _placementNode;

    /// <summary>The VCPU's state when parked here, null when it is out on a processor.</summary>
    public Vcpu? Parked => _vcpu;

    /// <summary>The processor (node) the VCPU runs on.</summary>
    public int Affinity => _affinity;

    /// <summary>Its state is out, on its processor or on the way there or back.</summary>
    public bool Out => _vcpu is null;

    public override void Start(IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_vcpu is { } v)
        {
            // Whoever holds a VCPU at time 0 boots its guest: this one, or the processor it starts loaded on.
            v.Boot(context.Now.Ps);
            TellReady(context);
        }
    }

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case VcpuFetch f:
                OnFetch(f.Processor, context);
                break;
            case VcpuPark p:
                OnPark(p.State, context);
                break;
            case VirtualDiskDone or NfsRequest or ProcessGive or RunQueueThieves or ProcessReturn:
                OnInterrupt(message, context);
                break;
            case VcpuMove m:
                OnMove(m.Processor, context);
                break;
            case TlbShootdown s:
                OnShootdown(s, context);
                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    /// <summary>The processor asks for the state: sent, unless the VCPU moved since (that processor was told to forget it).</summary>
    private void OnFetch(int processor, IContext context)
    {
        if (_vcpu is not { } v || processor != _affinity)
        {
            return;
        }

        _dispatches++;
        _vcpu = null;
        _readyTold = false;
        Send(context, new VcpuDispatch(v, Id));
    }

    private void OnPark(Vcpu v, IContext context)
    {
        if (v.Index != _index || _vcpu is not null)
        {
            throw new InvalidOperationException($"{this}: parked VCPU {v.Index} while holding {(_vcpu is null ? "none" : "its state")}");
        }

        _parks++;
        _vcpu = v;
        if (_moveTo >= 0)
        {
            // The old processor may hold it in its run queue (a park that crossed the recall): it forgets it.
            Send(context, new VcpuLeave(_index));
            _affinity = _moveTo;
            _moveTo = -1;
            _readyTold = false;
            TellReady(context);
            return;
        }

        // The processor keeps a runnable VCPU it preempted in its run queue.
        _readyTold = v.Runnable;
    }

    private void OnInterrupt(ISimMessage interrupt, IContext context)
    {
        if (_vcpu is not { } v)
        {
            _forwarded++;
            Send(context, interrupt);
            return;
        }

        _queued++;
        v.PendingInterrupts.Add(interrupt);
        TellReady(context);
    }

    /// <summary>
    /// A shootdown: applied to the parked state at once (cached pmap, second-level TLB; the hardware TLB it last
    /// used is cleaned when it is loaded again) and acknowledged; forwarded to the processor while the VCPU is out.
    /// </summary>
    private void OnShootdown(TlbShootdown s, IContext context)
    {
        if (_vcpu is not { } v)
        {
            _shootdownsForwarded++;
            Send(context, s);
            return;
        }

        _shootdownsParked++;
        v.Invalidate(s.GuestPages, s.MachinePages);
        v.MarkStaleInTlb(s.MachinePages);
        context.Send(_pageManager, _ipi, new TlbShootdownAck(s.Id, s.Vcpu));
    }

    private void OnMove(int processor, IContext context)
    {
        if (processor < 0 || processor >= _layout.Nodes)
        {
            throw new InvalidOperationException($"{this}: move to processor {processor}, the machine has {_layout.Nodes}");
        }

        int target = _moveTo >= 0 ? _moveTo : _affinity;
        if (processor == target)
        {
            return;
        }

        _moves++;
        if (_vcpu is null)
        {
            // Out: the processor hands it back first (a recall that meets no VCPU there is dropped: the park is on its way).
            if (_moveTo < 0)
            {
                Send(context, new VcpuRecall(_index));
            }

            _moveTo = processor;
            return;
        }

        Send(context, new VcpuLeave(_index));
        _affinity = processor;
        _readyTold = false;
        TellReady(context);
    }

    /// <summary>A parked VCPU with something to do (runnable, or interrupts waiting) tells its processor, once.</summary>
    private void TellReady(IContext context)
    {
        if (_readyTold || _vcpu is not { } v || !(v.Runnable || v.PendingInterrupts.Count > 0))
        {
            return;
        }

        _readyTold = true;
        Send(context, new VcpuReady(_index));
    }

    private void Send(IContext context, ISimMessage message) =>
        context.Send(_layout.Processor(_affinity), _ipi, message);

    /// <summary>A VCPU's counters and figures, wherever it is (a processor reports its loaded VCPU's on this component's behalf).</summary>
    public static void Report(Vcpu v, IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(sink);
        v.ReportStats(sink);
    }

    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        base.ReportStats(sink);
        if (_vcpu is { } v)
        {
            Report(v, sink);
        }
    }

    public override void DeclareState(ref StateIo io)
    {
        bool parked = _vcpu is not null;
        io.Bool("parked here", ref parked);
        io.Int("affinity", ref _affinity, 0, _layout.Nodes - 1);
        io.Bool("ready told", ref _readyTold);
        io.Int("move to", ref _moveTo, -1, _layout.Nodes - 1);
        io.Counter("monitor.vcpu.dispatches", ref _dispatches);
        io.Counter("monitor.vcpu.parks", ref _parks);
        io.Counter("monitor.vcpu.interrupts_forwarded", ref _forwarded);
        io.Counter("monitor.vcpu.interrupts_queued", ref _queued);
        io.Counter("monitor.vcpu.moves", ref _moves);
        io.Counter("monitor.vcpu.shootdowns_parked", ref _shootdownsParked);
        io.Counter("monitor.vcpu.shootdowns_forwarded", ref _shootdownsForwarded);
        if (io.IsReporting)
        {
            return;
        }

        if (io.IsLoading)
        {
            _vcpu = parked ? _shell() : null;
        }

        if (_vcpu is not null)
        {
            io.Part(_vcpu);
        }
    }
}
