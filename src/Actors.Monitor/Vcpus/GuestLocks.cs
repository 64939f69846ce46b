using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// SMP VMs: the monitor's side of each VM's memlock and region semaphore (a <c>SemaphoreComponent</c> per VM). A guest
/// path that must hold a lock does not run before the grant; its VCPU spins for it, in the guest's kernel mode, and
/// keeps the processor meanwhile. The lock word's release is a plain store: it does not trap.
/// </summary>
public sealed class GuestLocks
{
    private readonly Dictionary<int, ComponentId> _memlocks = [];

    public void Add(int vm, ComponentId memlock) => _memlocks[vm] = memlock;

    /// <summary>
    /// After a handler: the running VCPU's next path asks for its lock if it needs one (unless the monitor runs its
    /// own code); while any VCPU here spins, the processor waits, charged to the guest's kernel (or idle, when the
    /// guest sleeps on a semaphore).
    /// </summary>
    public TrapOutcome Hold(TrapOutcome outcome, Vcpu? running, bool monitorCodeRuns, Vcpu? loaded, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!monitorCodeRuns && running is { LockPending: false } && running.Kernel.RequestLock() is { } path)
        {
            running.LockPending = true;
            running.LockRequestedPs = context.LocalPs + outcome.CostPs;
            context.Send(_memlocks[running.Vm], new LockAcquire(context.Node, running.Vm, path.LockId), outcome.CostPs);
        }

        return loaded is { LockPending: true } waiting
            ? outcome with { Action = TrapAction.Wait, WaitMode = ExecutionMode.Kernel, WaitIdle = waiting.Kernel.WaitsOnSemaphore }
            : outcome;
    }

    /// <summary>A store to the lock word by the running guest kernel: releases what it holds; false when the operation is not that store.</summary>
    public bool TryUnlock(Vcpu? running, in Operation operation, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (running is not { } v || !v.Kernel.InKernel || GuestPrivilegedOps.Decode(operation).Code != GuestPrivileged.Unlock)
        {
            return false;
        }

        if (v.Kernel.ReleaseLock() is { } held)
        {
            context.Send(_memlocks[v.Vm], new LockRelease(context.Node, v.Vm, held.LockId));
        }

        return true;
    }

    /// <summary>A guest kernel path ended: the lock it held, if any, goes back.</summary>
    public void OnPathEnd(Vcpu v, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(context);
        int held = v.Kernel.OnPathEnd(context.LocalPs);
        if (held >= 0)
        {
            context.Send(_memlocks[v.Vm], new LockRelease(context.Node, v.Vm, held));
        }
    }

    /// <summary>The lock is granted: the VCPU that spun for it stops spinning and its path runs.</summary>
    public static void OnGrant(LockGrant grant, Vcpu? loaded, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(context);
        var v = loaded is { LockPending: true } l && l.Vm == grant.Vm ? l : throw new InvalidOperationException($"monitor: a memlock grant for VM {grant.Vm}, whose VCPU here does not wait (a VCPU that spins keeps its processor)");
        v.LockPending = false;
        v.Kernel.GrantLock(context.LocalPs, grant.Woken);
        v.Count(VcpuCounter.RegionSemAcquisitions);
        v.Count(VcpuCounter.RegionSemWaitPs, context.LocalPs - v.LockRequestedPs);
    }
}
