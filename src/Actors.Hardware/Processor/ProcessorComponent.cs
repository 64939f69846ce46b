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
public sealed class ProcessorComponent : Component, ISupervisorContext, ICoherenceOutbox
{
    public const string KindName = "hw.processor";

    private const int User = (int)ExecutionMode.User;
    private const int IdleBucket = 3;
    private const int StallBucket = 4;
    private const int MaxTrapsPerOperation = 8;

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
    private int _iHint;
    private int _dHint;

    // State (checkpointed, in this order).
    private Status _status;
    private long _localPs;
    private long _lastLeavePs;
    private long _missAddress;
    private AccessKind _missKind;
    private int _waitBucket;
    private readonly List<ISimMessage> _deferred = [];
    private readonly long[] _timePs = new long[5];
    private long _instructions;
    private long _loads;
    private long _stores;
    private long _tlbMisses;
    private long _tlbModified;
    private long _missesLocal;
    private long _missesRemote;
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
        _controller = new CacheController(_caches, node, layout, parameters.PagesPerNode);
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
    }

    public override string Kind => KindName;

    public override int PlacementKey => _node;

    public NodeId Node => new(_node);

    public ComponentId Processor => Id;

    public long LocalPs => _localPs;

    public SoftwareTlb Tlb => _tlb;

    public CacheHierarchy Caches => _caches;

    public ISupervisor Supervisor => _supervisor;

    /// <summary>Time buckets so far: user, kernel, monitor, idle, stall (picoseconds).</summary>
    public IReadOnlyList<long> TimePs => _timePs;

    public long Instructions => _instructions;

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
                    break;
                case Forward m:
                    _controller.OnForward(m, ReplyTime(context), this);
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
                _timePs[_waitBucket] += Math.Max(0, now - _localPs);
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

    /// <summary>Runs from <see cref="LocalPs"/> until the quantum is used up, a miss blocks, or nothing is runnable.</summary>
    private void RunQuantum(long now)
    {
        _bursts++;
        if (_localPs < now)
        {
            _localPs = now;
        }

        long end = _localPs + _p.QuantumPs;
        _status = Status.Running;
        if (_deferred.Count > 0)
        {
            ISimMessage[] pending = [.. _deferred];
            _deferred.Clear();
            for (int i = 0; i < pending.Length; i++)
            {
                if (!Apply(_supervisor.OnMessage(pending[i], this)))
                {
                    _deferred.InsertRange(0, pending[(i + 1)..]);
                    return;
                }
            }
        }

        if (!Apply(_supervisor.OnQuantum(this)))
        {
            return;
        }

        while (_localPs < end)
        {
            var exec = _supervisor.Current;
            if (exec is null)
            {
                _status = _supervisor.Halted ? Status.Halted : Status.Idle;
                return;
            }

            switch (RunContext(exec, end))
            {
                case Step.Blocked:
                    return;
                case Step.Trapped:
                    if (_status == Status.Waiting)
                    {
                        return;
                    }

                    break;
                default:
                    break;
            }
        }

        _context!.Send(Id, new SimTime(_localPs - now), BurstEnd.Instance);
    }

    private enum Step : byte
    {
        /// <summary>The quantum is over.</summary>
        QuantumOver,

        /// <summary>The supervisor ran: what runs may have changed.</summary>
        Trapped,

        /// <summary>An L2 miss is on its way; nothing more until the reply.</summary>
        Blocked,
    }

    /// <summary>The hot loop: operations of one context until the quantum ends, a trap or a miss.</summary>
    private Step RunContext(ExecutionStream exec, long end)
    {
        var source = exec.Source;
        var tlb = _tlb;
        var caches = _caches;
        int asid = exec.Asid;
        bool kseg = exec.KernelSegments;
        int mode = (int)exec.Mode;
        long cycle = _cyclePs;
        long local = _localPs;
        bool hasOp = exec.HasPending;
        var op = exec.Pending;
        try
        {
            while (local < end)
            {
                if (!hasOp)
                {
                    if (!source.TryNext(out op))
                    {
                        _localPs = local;
                        exec.HasPending = false;
                        Apply(_supervisor.OnStreamEnd(this));
                        local = _localPs;
                        return Step.Trapped;
                    }

                    hasOp = true;
                }

                switch (op.Kind)
                {
                    case OperationKind.Compute:
                    {
                        // Long computations stop at the quantum's end like everything else, so that messages wait
                        // at most one quantum.
                        int n = (int)Math.Min(op.Count, Math.Max(1, (end - local + cycle - 1) / cycle));
                        long t = n * cycle;
                        local += t;
                        _timePs[mode] += t;
                        _instructions += n;
                        if (n < op.Count)
                        {
                            op = Operation.Compute(op.Count - n);
                        }
                        else
                        {
                            hasOp = false;
                        }

                        break;
                    }

                    case OperationKind.Instructions:
                    {
                        long pc = op.Value;
                        long pa = tlb.Translate(pc, asid, store: false, ref _iHint);
                        if (pa < 0 && kseg && MachineConstants.InKseg0(pc))
                        {
                            pa = pc - MachineConstants.Kseg0Base;
                        }

                        if (pa < 0)
                        {
                            _localPs = local;
                            Trap(exec, op, pc, store: false, pa);
                            local = _localPs;
                            hasOp = exec.HasPending;
                            return Step.Trapped;
                        }

                        // The instructions of this fetch that sit in the same L1 line: one cache access for all.
                        int inLine = Math.Max(1, (int)((_l1LineMask + 1 - (pc & _l1LineMask)) >> 2));
                        int n = Math.Min(inLine, Math.Max(1, op.Count));
                        var r = caches.Access(pa, AccessKind.Fetch);
                        if (r >= AccessResult.Miss)
                        {
                            _localPs = local;
                            exec.Pending = op;
                            exec.HasPending = true;
                            BeginMiss(pa, AccessKind.Fetch, r);
                            return Step.Blocked;
                        }

                        long t = (n * cycle) + AccessTime(r);
                        _timePs[mode] += r == AccessResult.L1Hit ? t : n * cycle;
                        local += t;
                        _instructions += n;
                        exec.PendingTraps = 0;
                        if (op.Count > n)
                        {
                            op = new Operation(OperationKind.Instructions, pc + (4L * n), op.Count - n);
                        }
                        else
                        {
                            hasOp = false;
                        }

                        break;
                    }

                    case OperationKind.Load:
                    case OperationKind.Store:
                    {
                        bool store = op.Kind == OperationKind.Store;
                        long pa = tlb.Translate(op.Value, asid, store, ref _dHint);
                        if (pa < 0 && kseg && MachineConstants.InKseg0(op.Value))
                        {
                            pa = op.Value - MachineConstants.Kseg0Base;
                        }

                        if (pa < 0)
                        {
                            _localPs = local;
                            Trap(exec, op, op.Value, store, pa);
                            local = _localPs;
                            hasOp = exec.HasPending;
                            return Step.Trapped;
                        }

                        var r = caches.Access(pa, store ? AccessKind.Store : AccessKind.Load);
                        if (r >= AccessResult.Miss)
                        {
                            _localPs = local;
                            exec.Pending = op;
                            exec.HasPending = true;
                            BeginMiss(pa, store ? AccessKind.Store : AccessKind.Load, r);
                            return Step.Blocked;
                        }

                        long t = AccessTime(r);
                        local += t;
                        if (r == AccessResult.L1Hit)
                        {
                            _timePs[mode] += t;
                        }

                        if (store)
                        {
                            _stores++;
                        }
                        else
                        {
                            _loads++;
                        }

                        exec.PendingTraps = 0;
                        hasOp = false;
                        break;
                    }

                    case OperationKind.Idle:
                    {
                        long t = Math.Min(op.Value, end - local);
                        local += t;
                        _timePs[IdleBucket] += t;
                        if (t < op.Value)
                        {
                            op = Operation.Idle(op.Value - t);
                        }
                        else
                        {
                            hasOp = false;
                        }

                        break;
                    }

                    default:
                        // Privileged operations and disk reads: the supervisor emulates them. The operation is done
                        // when it is handed over, so a context switch inside the handler loses nothing.
                        _localPs = local;
                        exec.HasPending = false;
                        hasOp = false;
                        Apply(_supervisor.OnPrivileged(op, this));
                        local = _localPs;
                        return Step.Trapped;
                }
            }

            return Step.QuantumOver;
        }
        finally
        {
            _localPs = local;
            exec.HasPending = hasOp;
            exec.Pending = op;
        }
    }

    /// <summary>Time an access that hit adds beyond the instruction's cycle; L2 hits are memory stall.</summary>
    private long AccessTime(AccessResult r)
    {
        if (r == AccessResult.L1Hit)
        {
            return _p.L1HitLatencyPs;
        }

        _timePs[StallBucket] += _p.L2HitLatencyPs;
        return _p.L2HitLatencyPs;
    }

    private void Trap(ExecutionStream exec, Operation op, long virtualAddress, bool store, long why)
    {
        exec.Pending = op;
        exec.HasPending = true;
        if (++exec.PendingTraps > MaxTrapsPerOperation)
        {
            throw new InvalidOperationException($"{this}: {op.Kind} at 0x{virtualAddress:x} trapped {MaxTrapsPerOperation} times: the supervisor never maps it");
        }

        bool readOnly = why == SoftwareTlb.ReadOnly;
        if (readOnly)
        {
            _tlbModified++;
        }
        else
        {
            _tlbMisses++;
        }

        Apply(_supervisor.OnTlbMiss(virtualAddress, store, readOnly, this));
    }

    private void BeginMiss(long machineAddress, AccessKind kind, AccessResult result)
    {
        _missAddress = machineAddress;
        _missKind = kind;
        _status = Status.BlockedOnMiss;
        if (result == AccessResult.Upgrade)
        {
            _upgrades++;
        }

        int home = _controller.BeginMiss(machineAddress, kind, _localPs, this);
        if (home == _node)
        {
            _missesLocal++;
        }
        else
        {
            _missesRemote++;
        }
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
            _waitBucket = outcome.WaitIdle ? IdleBucket : (int)(outcome.WaitMode ?? outcome.Mode);
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
        long leave = Math.Max(Math.Max(leavePs, _lastLeavePs), context.Now.Ps);
        _lastLeavePs = leave;
        long latency = _layout.IsDirectory(target)
            ? _directoryLatencyPs[target.Value - _layout.Nodes]
            : target == Id ? 0 : (_links ?? throw new InvalidOperationException($"{this}: not wired to the model's links")).RequiredDelayPs(Id.Value, target.Value);
        context.Send(target, new SimTime(leave - context.Now.Ps + latency), message);
    }

    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add("instructions", _instructions);
        sink.Add("loads", _loads);
        sink.Add("stores", _stores);
        sink.Add("tlb_misses", _tlbMisses);
        sink.Add("cache_misses.local", _missesLocal);
        sink.Add("cache_misses.remote", _missesRemote);
        sink.Add("cpu_time_ps.user", _timePs[User]);
        sink.Add("cpu_time_ps.kernel", _timePs[(int)ExecutionMode.Kernel]);
        sink.Add("cpu_time_ps.monitor", _timePs[(int)ExecutionMode.Monitor]);
        sink.Add("cpu_time_ps.idle", _timePs[IdleBucket]);
        sink.Add("cpu_time_ps.stall", _timePs[StallBucket]);
        sink.Add("hw.tlb.modified_traps", _tlbModified);
        sink.Add("hw.l1i.misses", _caches.L1IMisses);
        sink.Add("hw.l1d.misses", _caches.L1DMisses);
        sink.Add("hw.l1.writebacks", _caches.L1Writebacks);
        sink.Add("hw.l2.misses", _missesLocal + _missesRemote - _upgrades);
        sink.Add("hw.l2.upgrades", _upgrades);
        sink.Add("hw.l2.writebacks", _controller.Writebacks);
        sink.Add("hw.processor.invalidations", _controller.InvalidationsReceived);
        sink.Add("hw.processor.forwards", _controller.ForwardsReceived);
        sink.Add("hw.processor.quanta", _bursts);
        sink.Add("hw.processor.supervisor_messages", _messages);
        _supervisor.ReportStats(sink);
    }

    protected override void SaveState(ref StateWriter writer)
    {
        writer.Write((int)_status);
        writer.Write(_localPs);
        writer.Write(_lastLeavePs);
        writer.Write(_missAddress);
        writer.Write((int)_missKind);
        writer.Write(_waitBucket);
        writer.WriteCount(_deferred.Count);
        foreach (var m in _deferred)
        {
            writer.Write(m);
        }

        writer.Write(_timePs);
        long[] counters = [_instructions, _loads, _stores, _tlbMisses, _tlbModified, _missesLocal, _missesRemote, _upgrades, _bursts, _messages];
        writer.Write(counters);
        _tlb.Save(ref writer);
        _controller.Save(ref writer);
        _supervisor.Save(ref writer);
    }

    protected override void LoadState(ref StateReader reader)
    {
        _status = (Status)reader.ReadInt("processor status", 0, (int)Status.Halted);
        _localPs = reader.ReadLong("local time", 0, long.MaxValue);
        _lastLeavePs = reader.ReadLong("last leave", 0, long.MaxValue);
        _missAddress = reader.ReadLong("miss address", 0, long.MaxValue);
        _missKind = (AccessKind)reader.ReadInt("miss kind", 0, (int)AccessKind.Store);
        _waitBucket = reader.ReadInt("wait bucket", 0, IdleBucket);
        _deferred.Clear();
        int n = reader.ReadCount("deferred messages", 1 << 16);
        for (int i = 0; i < n; i++)
        {
            _deferred.Add(reader.ReadMessage("deferred message"));
        }

        long[] time = reader.ReadLongArray("time buckets", _timePs.Length);
        long[] c = reader.ReadLongArray("processor counters", 10);
        if (time.Length != _timePs.Length || c.Length != 10 || time.Any(v => v < 0) || c.Any(v => v < 0))
        {
            throw new CorruptStateException($"{this}: time buckets or counters are malformed");
        }

        time.CopyTo(_timePs, 0);
        (_instructions, _loads, _stores, _tlbMisses, _tlbModified) = (c[0], c[1], c[2], c[3], c[4]);
        (_missesLocal, _missesRemote, _upgrades, _bursts, _messages) = (c[5], c[6], c[7], c[8], c[9]);
        _tlb.Load(ref reader);
        _controller.Load(ref reader);
        _supervisor.Load(ref reader);
        _iHint = 0;
        _dHint = 0;
    }
}
