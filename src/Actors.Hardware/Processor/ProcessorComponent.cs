using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Hardware.Processor;

/// <summary>
/// A processor of the FLASH-like machine: runs the operation stream its supervisor gives it through a software
/// refilled TLB and an L1/L2 hierarchy, and accounts every picosecond to user, kernel, monitor, idle or stall.
///
/// Speed rule: hits stay inside. The processor computes a whole quantum of hits ahead in one event (its own clock,
/// <c>LocalPs</c>, runs ahead of the engine's); an L2 miss leaves at the moment the quantum reached it (delay = time
/// consumed so far + path latency) and the processor then blocks with no pending event until the reply. Messages
/// that arrive while it is ahead act at its clock: acknowledgements leave then, interrupts are taken at the next
/// quantum. A shorter quantum is more exact, a longer one faster.
/// </summary>
public sealed partial class ProcessorComponent : Component, ISupervisorContext, ICoherenceOutbox
{
    public const string KindName = "hw.processor";

    private const int IdleBucket = (int)CpuTimeBucket.Idle;
    private const int StallBucket = (int)CpuTimeBucket.Stall;

    /// <summary>
    /// <c>cpu_time_ps.stall_user|stall_kernel|stall_monitor</c>, by <see cref="ExecutionMode"/> number: the stall
    /// bucket split by the mode of the access that stalled (they add up to <c>cpu_time_ps.stall</c>).
    /// </summary>
    public static readonly IReadOnlyList<string> StallModeNames = ["stall_user", "stall_kernel", "stall_monitor"];
    private const int MaxTrapsPerOperation = 8;
    private const int MonitorMode = (int)ExecutionMode.Monitor;

    /// <summary>
    /// <c>hw.monitor_mode.*</c>: the monitor's own instruction fetches and data accesses through this processor's
    /// caches (its handlers' code lines and data lines, its page copies and zeroing): accesses done, L1 misses by
    /// instructions and data, and L2 misses by instructions and data, to this node's memory or another's.
    /// </summary>
    public static readonly IReadOnlyList<string> MonitorAccessNames = ["fetches", "data_accesses"];

    public static readonly IReadOnlyList<string> MonitorL1MissNames = ["l1i_misses", "l1d_misses"];

    public static readonly IReadOnlyList<string> MonitorL2MissNames = ["l2_misses.fetch_local", "l2_misses.fetch_remote", "l2_misses.data_local", "l2_misses.data_remote"];

    public const string MonitorModePrefix = "hw.monitor_mode";

    private readonly MachineParams _p;
    private readonly MachineLayout _layout;
    private readonly int _node;
    private readonly SoftwareTlb _tlb;
    private readonly CacheController _controller;
    private readonly CacheHierarchy _caches;
    private readonly ISupervisor _supervisor;
    private readonly long[] _directoryLatencyPs;
    private readonly long _cyclePs;
    private readonly int _l1LineMask;
    private LinkTable? _links;
    private IContext? _context;
    [Transient("where the TLB last found an instruction page: every use checks the tag")]
    private int _iHint;
    [Transient("where the TLB last found a data page: every use checks the tag")]
    private int _dHint;

    // State: DeclareState lists it.
    private readonly FifoPort _port = new();
    private readonly List<ISimMessage> _deferred = [];
    private readonly long[] _timePs = new long[CpuTimeBuckets.Count];

    // The stall bucket again, split by the mode that stalled (the paper's figure 5 counts stall in that mode).
    private readonly long[] _stallByModePs = new long[3];
    private readonly long[] _monitorAccesses = new long[2];
    private readonly long[] _monitorL1Misses = new long[2];
    private readonly long[] _monitorL2Misses = new long[4];
    private Status _status;
    private long _localPs;
    private long _missAddress;
    private AccessKind _missKind;
    private CpuTimeBucket _waitBucket;
    private long _instructions;
    private long _loads;
    private long _stores;
    private long _tlbMisses;
    private long _tlbModified;
    private long _missesLocal;
    private long _missesRemote;

    // Stall waiting for another node's memory (figure 8 splits memory stall into local and remote).
    private long _stallRemotePs;
    private long _upgrades;
    private long _bursts;
    private long _messages;

    public ProcessorComponent(ComponentId id, NodeId node, MachineParams parameters, MachineLayout layout, long[] directoryLatencyPs, ISupervisor supervisor)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(directoryLatencyPs);
        ArgumentNullException.ThrowIfNull(supervisor);
        _p = parameters;
        _layout = layout;
        _node = node.Value;
        _tlb = new SoftwareTlb(parameters.TlbEntries);
        _caches = new CacheHierarchy(parameters.L1, parameters.L2);
        _controller = new CacheController(_caches, node, layout, HomeMap.Of(parameters));
        _supervisor = supervisor;
        _directoryLatencyPs = directoryLatencyPs;
        _cyclePs = parameters.CycleTimePs;
        _l1LineMask = parameters.L1.LineBytes - 1;
    }

    private enum Status : byte
    {
        /// <summary>A quantum is under way; its BurstEnd is pending.</summary>
        Running = 0,

        /// <summary>Waiting for the home's reply to an L2 miss; no pending event.</summary>
        BlockedOnMiss = 1,

        /// <summary>The supervisor waits for a message (a page fault's reply); the time is charged to its mode.</summary>
        Waiting = 2,

        /// <summary>Nothing runnable; idle time until a message arrives.</summary>
        Idle = 3,

        /// <summary>Nothing will run again; time is no longer accounted.</summary>
        Halted = 4,

        /// <summary>Spinning on a cached lock word (hits, no traffic) until its line is taken or a <see cref="SpinCheck"/>.</summary>
        Spinning = 5,
    }

    public override string Kind => KindName;

    public override int PlacementKey => _node;

    public NodeId Node => new(_node);

    public ComponentId Processor => Id;

    public long LocalPs => _localPs;

    public SoftwareTlb Tlb => _tlb;

    public CacheHierarchy Caches => _caches;

    public ISupervisor Supervisor => _supervisor;

    /// <summary>Time so far by <see cref="CpuTimeBucket"/> (picoseconds).</summary>
    public IReadOnlyList<long> TimePs => _timePs;

    public IReadOnlyList<long> StallByModePs => _stallByModePs;

    public long Instructions => _instructions;

    /// <summary>L2 misses that fetched data from a home (upgrades of a line already held are not counted).</summary>
    public long L2DataMisses => _missesLocal + _missesRemote - _upgrades;

    public bool IsHalted => _status == Status.Halted;

    /// <summary>Gives the processor the model's links, for supervisor messages to components other than directories.</summary>
    public void Wire(LinkTable links) => _links = links;

    public override void Start(IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Send(Id, SimTime.Zero, BurstEnd.Instance);
    }

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        try
        {
            switch (message)
            {
                case BurstEnd m:
                    On(m, context);
                    break;
                case DataReply m:
                    On(m, context);
                    break;
                case Invalidate m:
                    _controller.OnInvalidate(m, ReplyTime(context), this);
                    WakeIfSpinningOn(m.Line, context);
                    break;
                case Forward m:
                    _controller.OnForward(m, ReplyTime(context), this);
                    WakeIfSpinningOn(m.Line, context);
                    break;
                case SpinCheck m:
                    On(m, context);
                    break;
                default:
                    OnSupervisorMessage(message, context);
                    break;
            }
        }
        finally
        {
            _context = null;
        }
    }

    private void On(BurstEnd m, IContext context)
    {
        if (_status != Status.Running)
        {
            throw new InvalidOperationException($"{this}: {m.GetType().Name} while {_status}");
        }

        RunQuantum(context.Now.Ps);
    }

    private void On(DataReply m, IContext context)
    {
        if (_status != Status.BlockedOnMiss)
        {
            throw new InvalidOperationException($"{this}: reply for line {m.Line} while {_status}");
        }

        long now = context.Now.Ps;
        _timePs[StallBucket] += now - _localPs;
        _stallByModePs[(int)(_supervisor.Current?.Mode ?? ExecutionMode.Kernel)] += now - _localPs;
        if (_controller.HomeOf(_controller.Caches.LineOf(_missAddress)) != _node)
        {
            _stallRemotePs += now - _localPs;
        }

        _localPs = now;
        _controller.OnData(m, _missAddress, _missKind);
        RunQuantum(now);
    }

    /// <summary>Interrupts and replies belong to the supervisor; they act at the processor's clock.</summary>
    private void OnSupervisorMessage(ISimMessage message, IContext context)
    {
        _messages++;
        long now = context.Now.Ps;
        switch (_status)
        {
            case Status.Running:
            case Status.BlockedOnMiss:
                _deferred.Add(message);
                return;
            case Status.Waiting:
                _timePs[(int)_waitBucket] += Math.Max(0, now - _localPs);
                break;
            case Status.Spinning:
                // The spin resumes, by re-executing the acquire, after the supervisor has handled the message.
                EndSpin(now);
                break;
            default:
                // Idle, or halted and woken by a message: the gap was idle time.
                _timePs[IdleBucket] += Math.Max(0, now - _localPs);
                break;
        }

        _localPs = Math.Max(_localPs, now);
        var wasHalted = _status == Status.Halted;
        _status = Status.Running;
        if (!Apply(_supervisor.OnMessage(message, this)))
        {
            return;
        }

        if (wasHalted && _supervisor.Current is null)
        {
            _status = Status.Halted;
            return;
        }

        RunQuantum(now);
    }

    /// <summary>Charges a handler's cost; false when the supervisor now waits for a message.</summary>
    private bool Apply(TrapOutcome outcome)
    {
        if (outcome.CostPs < 0)
        {
            throw new InvalidOperationException($"{this}: a supervisor charged a negative cost ({outcome.CostPs} ps)");
        }

        _localPs += outcome.CostPs;
        _timePs[(int)outcome.Mode] += outcome.CostPs;
        if (outcome.Action == TrapAction.Wait)
        {
            _status = Status.Waiting;
            _waitBucket = outcome.WaitIdle ? CpuTimeBucket.Idle : CpuTimeBuckets.Of(outcome.WaitMode ?? outcome.Mode);
            return false;
        }

        return true;
    }

    private long ReplyTime(IContext context) => Math.Max(context.Now.Ps, _localPs);

    void ICoherenceOutbox.Send(ComponentId target, long leavePs, ISimMessage message) => SendAt(target, leavePs, message);

    void ISupervisorContext.Send(ComponentId target, ISimMessage message, long afterPs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterPs);
        SendAt(target, _localPs + afterPs, message);
    }

    public void WriteTlb(in TlbEntry entry) => _tlb.Write(entry, _localPs / _cyclePs);

    /// <summary>Everything leaves in non-decreasing time, so each path to a directory stays FIFO.</summary>
    private void SendAt(ComponentId target, long leavePs, ISimMessage message)
    {
        var context = _context ?? throw new InvalidOperationException($"{this}: send outside a handler");
        long leave = _port.Leave(Math.Max(leavePs, context.Now.Ps));
        long latency = _layout.IsDirectory(target)
            ? _directoryLatencyPs[target.Value - _layout.Nodes]
            : target == Id ? 0 : (_links ?? throw new InvalidOperationException($"{this}: not wired to the model's links")).RequiredDelayPs(Id.Value, target.Value);
        context.Send(target, new SimTime(leave - context.Now.Ps + latency), message);
    }

    /// <summary>
    /// The run state, the deferred messages, time and counters, then the parts: TLB, caches and their controller, and
    /// whoever runs here.
    /// </summary>
    public override void DeclareState(ref StateIo io)
    {
        io.Enum("processor status", ref _status);
        io.Long("local time", ref _localPs, 0);
        io.Part(_port);
        io.Long("miss address", ref _missAddress, 0);
        io.Enum("miss kind", ref _missKind);
        io.Enum("wait bucket", ref _waitBucket);
        io.List("deferred messages", _deferred, 1 << 16, static (ref StateIo io, ref ISimMessage m) => io.Message("deferred message", ref m));
        io.Counters(CpuTimeBuckets.StatPrefix, _timePs, CpuTimeBuckets.Names);
        io.Counters(CpuTimeBuckets.StatPrefix, _stallByModePs, StallModeNames);
        io.Counter("instructions", ref _instructions);
        io.Counter("loads", ref _loads);
        io.Counter("stores", ref _stores);
        io.Counter("tlb_misses", ref _tlbMisses);
        io.Counter("hw.tlb.modified_traps", ref _tlbModified);
        io.Counter("cache_misses.local", ref _missesLocal);
        io.Counter("cache_misses.remote", ref _missesRemote);
        io.Counter("hw.stall_remote_ps", ref _stallRemotePs);
        io.Counter("hw.l2.upgrades", ref _upgrades);
        io.Counter("hw.processor.quanta", ref _bursts);
        io.Counter("hw.processor.supervisor_messages", ref _messages);
        io.Counters(MonitorModePrefix, _monitorAccesses, MonitorAccessNames);
        io.Counters(MonitorModePrefix, _monitorL1Misses, MonitorL1MissNames);
        io.Counters(MonitorModePrefix, _monitorL2Misses, MonitorL2MissNames);
        DeclareLockState(ref io);
        io.Part(_tlb);
        io.Part(_controller);
        io.Part(_supervisor);
        if (io.IsLoading)
        {
            _iHint = 0;
            _dHint = 0;
        }
    }

    /// <summary>The declared counters (the supervisor's among them), the L2 misses they imply, and the supervisor's derived figures.</summary>
    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        base.ReportStats(sink);
        sink.Add("hw.l2.misses", _missesLocal + _missesRemote - _upgrades);
        _supervisor.ReportStats(sink);
    }
}
