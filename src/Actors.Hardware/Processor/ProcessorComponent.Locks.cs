using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Processor;

/// <summary>
/// Spin locks in memory (<see cref="OperationKind.Acquire"/>, <see cref="OperationKind.Release"/>): the lock word is
/// the one word of data the caches carry (<see cref="LineWords"/>). A waiter spins on its cached copy, which hits and
/// makes no traffic, so the spin is one wait, not an event per iteration: it ends when the line is invalidated or
/// taken (the holder's release), or after a quantum, when the supervisor may run something else (a VCPU must not
/// keep the processor from a descheduled holder).
/// </summary>
public sealed partial class ProcessorComponent
{
    // State (declared in DeclareLockState).
    private long _spinLine = -1;
    private long _spinSequence;
    private bool _spunForLock;
    private long _lockAcquires;
    private long _lockContended;
    private long _lockSpins;
    private long _lockSpinPs;
    private long _lockReleases;

    /// <summary>
    /// One attempt at a lock operation, from its start (it is re-executed whole after each miss, trap or spin, so the
    /// test sees the word the last reply brought). Null when it completed; else why the hot loop stops.
    /// </summary>
    private Step? RunLockOperation(ExecutionStream exec, Operation op, int asid, bool kseg, int mode)
    {
        bool release = op.Kind == OperationKind.Release;
        long va = op.Value;
        long pa = _tlb.Translate(va, asid, store: true, ref _dHint);
        if (pa < 0 && kseg && MachineConstants.InKseg0(va))
        {
            pa = va - MachineConstants.Kseg0Base;
        }

        if (pa < 0)
        {
            Trap(exec, op, va, store: true, pa);
            return Step.Trapped;
        }

        long line = _caches.LineOf(pa);
        if (!release)
        {
            // Test before test-and-set: a read, which hits in the cache while someone else holds the lock.
            if (LockAccess(exec, op, pa, AccessKind.Load, mode) is { } step)
            {
                return step;
            }

            if (_controller.Words.Of(line) != 0)
            {
                // The test went through the TLB: traps before it were answered. A long wait may see the page's
                // mapping change many times (a NUMA replica made and collapsed); those traps are not one operation's.
                exec.PendingTraps = 0;
                BeginSpin(exec, op, line, mode);
                return Step.Blocked;
            }
        }

        // The set: a store, which needs the line exclusive. Nothing runs between the test and this hit.
        if (LockAccess(exec, op, pa, AccessKind.Store, mode) is { } miss)
        {
            return miss;
        }

        _stores++;
        exec.PendingTraps = 0;
        if (release)
        {
            _controller.Words.Set(line, 0);
            _lockReleases++;
            return null;
        }

        _controller.Words.Set(line, _node + 1);
        _lockAcquires++;
        if (_spunForLock)
        {
            _lockContended++;
            _spunForLock = false;
        }

        return null;
    }

    /// <summary>An access of a lock operation: its time if it hits, else the miss begins and the operation waits.</summary>
    private Step? LockAccess(ExecutionStream exec, Operation op, long pa, AccessKind kind, int mode)
    {
        var r = _caches.Access(pa, kind);
        if (r >= AccessResult.Miss)
        {
            exec.Pending = op;
            exec.HasPending = true;
            BeginMiss(pa, kind, r);
            return Step.Blocked;
        }

        long t = AccessTime(r, mode);
        _localPs += t;
        if (r == AccessResult.L1Hit)
        {
            _timePs[mode] += t;
        }

        return null;
    }

    private void BeginSpin(ExecutionStream exec, Operation op, long line, int mode)
    {
        exec.Pending = op;
        exec.HasPending = true;
        _status = Status.Spinning;
        _spinLine = line;
        _spunForLock = true;
        _lockSpins++;
        _waitBucket = CpuTimeBuckets.Of((ExecutionMode)mode);
        var context = _context ?? throw new InvalidOperationException($"{this}: spin outside a handler");
        context.Send(Id, new SimTime(_localPs + _p.QuantumPs - context.Now.Ps), new SpinCheck(++_spinSequence));
    }

    /// <summary>The spin is over (the line changed hands, a quantum passed, or a message came): its time is the waiting mode's.</summary>
    private void EndSpin(long now)
    {
        long t = Math.Max(0, now - _localPs);
        _timePs[(int)_waitBucket] += t;
        _lockSpinPs += t;
        _localPs = Math.Max(_localPs, now);
        _status = Status.Running;
        _spinLine = -1;
    }

    /// <summary>An invalidation or forward of the line a spinner reads: the holder wrote it; look again.</summary>
    private void WakeIfSpinningOn(LineAddress line, IContext context)
    {
        if (_status == Status.Spinning && line.Value == _spinLine)
        {
            EndSpin(context.Now.Ps);
            RunQuantum(context.Now.Ps);
        }
    }

    private void On(SpinCheck m, IContext context)
    {
        if (_status == Status.Spinning && m.Sequence == _spinSequence)
        {
            EndSpin(context.Now.Ps);
            RunQuantum(context.Now.Ps);
        }
    }

    private void DeclareLockState(ref Engine.State.StateIo io)
    {
        io.Long("spin line", ref _spinLine, -1);
        io.Long("spin sequence", ref _spinSequence, 0);
        io.Bool("spun for lock", ref _spunForLock);
        io.Counter("hw.lock.acquires", ref _lockAcquires);
        io.Counter("hw.lock.contended", ref _lockContended);
        io.Counter("hw.lock.spins", ref _lockSpins);
        io.Counter("hw.lock.spin_ps", ref _lockSpinPs);
        io.Counter("hw.lock.releases", ref _lockReleases);
    }
}
