using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>A processor of an SMP guest → the guest's locks: wants lock <see cref="Lock"/> (<see cref="KernelLocks"/>).</summary>
public sealed record LockAcquire(NodeId Node, [Bounds(0, int.MaxValue)] int Vm = 0, [Bounds(0, KernelLocks.Count - 1)] int Lock = KernelLocks.Memlock) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockAcquire;

    public ulong ContentHash() => Digest.Of(Kind, Node.Value, Vm, Lock);
}

/// <summary>
/// The guest's semaphore → the processor: it holds the lock now. <paramref name="Woken"/>: the waiter slept (the
/// semaphore was held when it asked), so the release wakes it, which costs its kernel a wake-up.
/// </summary>
public sealed record LockGrant([Bounds(0, int.MaxValue)] int Vm = 0, [Bounds(0, KernelLocks.Count - 1)] int Lock = KernelLocks.Memlock, bool Woken = false) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockGrant;

    public ulong ContentHash() => Digest.Of(Kind, Vm, Lock, Woken ? 1 : 0);
}

/// <summary>The holder → the guest's locks: done.</summary>
public sealed record LockRelease(NodeId Node, [Bounds(0, int.MaxValue)] int Vm = 0, [Bounds(0, KernelLocks.Count - 1)] int Lock = KernelLocks.Memlock) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockRelease;

    public ulong ContentHash() => Digest.Of(Kind, Node.Value, Vm, Lock);
}
