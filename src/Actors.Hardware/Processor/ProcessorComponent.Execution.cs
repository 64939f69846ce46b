using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Hardware.Processor;

/// <summary>The processor's run loop: quanta, the hot loop over operations, TLB traps and the start of L2 misses.</summary>
public sealed partial class ProcessorComponent
{
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

                        if (mode == MonitorMode)
                        {
                            CountMonitorHit(AccessKind.Fetch, r);
                        }

                        long t = (n * cycle) + AccessTime(r, mode);
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
                        // Loads and stores come in random order: the kind is arithmetic here, not a branch.
                        int stores = (int)op.Kind - (int)OperationKind.Load;
                        bool store = stores != 0;
                        var kind = (AccessKind)((int)AccessKind.Load + stores);
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

                        var r = caches.Access(pa, kind);
                        if (r >= AccessResult.Miss)
                        {
                            _localPs = local;
                            exec.Pending = op;
                            exec.HasPending = true;
                            BeginMiss(pa, kind, r);
                            return Step.Blocked;
                        }

                        if (mode == MonitorMode)
                        {
                            CountMonitorHit(AccessKind.Load, r);
                        }

                        long t = AccessTime(r, mode);
                        local += t;
                        if (r == AccessResult.L1Hit)
                        {
                            _timePs[mode] += t;
                        }

                        _stores += stores;
                        _loads += 1 - stores;

                        exec.PendingTraps = 0;
                        hasOp = (op.Value & _l1LineMask) + op.Count > _l1LineMask + 1 && StraddleTail(ref op, kind);
                        break;
                    }

                    case OperationKind.Instruction:
                    case OperationKind.LineTail:
                    {
                        // A trace's instruction, or the next line of a straddling access: one L1 line each time.
                        bool tail = op.Kind == OperationKind.LineTail;
                        var kind = tail ? op.TailKind : AccessKind.Fetch;
                        bool store = kind == AccessKind.Store;
                        long va = op.Value;
                        long pa = kind == AccessKind.Fetch ? tlb.Translate(va, asid, store: false, ref _iHint) : tlb.Translate(va, asid, store, ref _dHint);
                        if (pa < 0 && kseg && MachineConstants.InKseg0(va))
                        {
                            pa = va - MachineConstants.Kseg0Base;
                        }

                        if (pa < 0)
                        {
                            _localPs = local;
                            Trap(exec, op, va, store, pa);
                            local = _localPs;
                            hasOp = exec.HasPending;
                            return Step.Trapped;
                        }

                        var r = caches.Access(pa, kind);
                        if (r >= AccessResult.Miss)
                        {
                            _localPs = local;
                            exec.Pending = op;
                            exec.HasPending = true;
                            BeginMiss(pa, kind, r);
                            return Step.Blocked;
                        }

                        if (mode == MonitorMode)
                        {
                            CountMonitorHit(kind, r);
                        }

                        long t = AccessTime(r, mode);
                        if (!tail)
                        {
                            t += cycle;
                            _instructions++;
                            _timePs[mode] += r == AccessResult.L1Hit ? t : cycle;
                        }
                        else if (r == AccessResult.L1Hit)
                        {
                            _timePs[mode] += t;
                        }

                        local += t;
                        exec.PendingTraps = 0;
                        hasOp = StraddleTail(ref op, kind);
                        break;
                    }

                    case OperationKind.Acquire:
                    case OperationKind.Release:
                    {
                        _localPs = local;
                        var step = RunLockOperation(exec, op, asid, kseg, mode);
                        local = _localPs;
                        if (step is { } stop)
                        {
                            hasOp = exec.HasPending;
                            return stop;
                        }

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

    /// <summary>
    /// After the line of <paramref name="op"/>'s first byte: true, with <paramref name="op"/> now the rest of the
    /// access, when it runs on into the next line (rare; sizes come from traces), else false (the access is done).
    /// </summary>
    private bool StraddleTail(ref Operation op, AccessKind kind)
    {
        int offset = (int)(op.Value & _l1LineMask);
        int bytes = op.Kind == OperationKind.LineTail ? op.TailBytes : op.Count;
        int rest = offset + bytes - (_l1LineMask + 1);
        if (rest <= 0)
        {
            return false;
        }

        op = Operation.LineTail(op.Value - offset + _l1LineMask + 1, kind, rest);
        return true;
    }

    /// <summary>Time an access that hit adds beyond the instruction's cycle; L2 hits are memory stall.</summary>
    private long AccessTime(AccessResult r, int mode)
    {
        if (r == AccessResult.L1Hit)
        {
            return _p.L1HitLatencyPs;
        }

        _timePs[StallBucket] += _p.L2HitLatencyPs;
        _stallByModePs[mode] += _p.L2HitLatencyPs;
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

        if (_supervisor.Current?.Mode == ExecutionMode.Monitor)
        {
            // Every L2 miss is an L1 miss too; the access is counted as done when it is retried after the reply.
            _monitorL1Misses[kind == AccessKind.Fetch ? 0 : 1]++;
            _monitorL2Misses[(kind == AccessKind.Fetch ? 0 : 2) + (home == _node ? 0 : 1)]++;
        }
    }

    /// <summary>A monitor-mode access that hit in the L1 or the L2 (misses are counted when they start).</summary>
    private void CountMonitorHit(AccessKind kind, AccessResult r)
    {
        int i = kind == AccessKind.Fetch ? 0 : 1;
        _monitorAccesses[i]++;
        if (r != AccessResult.L1Hit)
        {
            _monitorL1Misses[i]++;
        }
    }
}
