using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// SMP VMs: the monitor's side of each VM's region semaphore (a <c>SemaphoreComponent</c> per VM; the memlock is a word
/// in the VM's memory that the processors take through their caches, with nothing for the monitor to do). A guest
/// path that must hold the semaphore does not run before the grant; its VCPU keeps the processor meanwhile, idle
/// (its thread sleeps). The unlock is a plain store: it does not trap.
/// </summary>
public sealed class GuestLocks
{
    private readonly Dictionary<int, ComponentId> _semaphores = [];

    public void Add(int vm, ComponentId semaphore) => _semaphores[vm] = semaphore;

    /// <summary>
    /// After a handler: the running VCPU's next path asks for its lock if it needs one (unless the monitor runs its
    /// own code); while the VCPU here waits, the processor waits, idle (the guest sleeps on the semaphore).
    /// </summary>
    public TrapOutcome Hold(TrapOutcome outcome, Vcpu? running, bool monitorCodeRuns, Vcpu? loaded, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!monitorCodeRuns && running is { LockPending: false } && running.Kernel.RequestLock() is { } path)
        {
            running.LockPending = true;
            running.LockRequestedPs = context.LocalPs + outcome.CostPs;
            context.Send(_semaphores[running.Vm], new LockAcquire(context.Node, running.Vm, path.LockId), outcome.CostPs);
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
            context.Send(_semaphores[v.Vm], new LockRelease(context.Node, v.Vm, held.LockId));
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
            context.Send(_semaphores[v.Vm], new LockRelease(context.Node, v.Vm, held));
        }
    }

    /// <summary>The lock is granted: the VCPU that spun for it stops spinning and its path runs.</summary>
    public static void OnGrant(LockGrant grant, Vcpu? loaded, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(grant);
        ArgumentNullException.ThrowIfNull(context);
        var v = loaded is { LockPending: true } l && l.Vm == grant.Vm ? l : throw new InvalidOperationException($"monitor: a semaphore grant for VM {grant.Vm}, whose VCPU here does not wait (a waiting VCPU keeps its processor)");
        v.LockPending = false;
        v.Kernel.GrantLock(context.LocalPs, grant.Woken);
        v.Count(VcpuCounter.RegionSemAcquisitions);
        v.Count(VcpuCounter.RegionSemWaitPs, context.LocalPs - v.LockRequestedPs);
    }
}
