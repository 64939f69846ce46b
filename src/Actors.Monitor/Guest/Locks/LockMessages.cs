using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>A processor of an SMP guest → the guest's locks: wants lock <see cref="Lock"/> (<see cref="KernelLocks"/>).</summary>
public sealed record LockAcquire(NodeId Node, int Vm = 0, int Lock = KernelLocks.Memlock) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockAcquire;

    public ulong ContentHash() => Digest.Of(Kind, Node.Value, Vm, Lock);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Node.Value);
        writer.Write(Vm);
        writer.Write(Lock);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new LockAcquire(new NodeId(reader.ReadInt("node", 0, MachineConstants.MaxNodes - 1)), reader.ReadInt("vm", 0, int.MaxValue), reader.ReadInt("lock", 0, KernelLocks.Count - 1));
}

/// <summary>The guest's locks → the processor: it holds the lock now.</summary>
public sealed record LockGrant(int Vm = 0, int Lock = KernelLocks.Memlock) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockGrant;

    public ulong ContentHash() => Digest.Of(Kind, Vm, Lock);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Vm);
        writer.Write(Lock);
    }

    public static ISimMessage Read(ref StateReader reader) => new LockGrant(reader.ReadInt("vm", 0, int.MaxValue), reader.ReadInt("lock", 0, KernelLocks.Count - 1));
}

/// <summary>The holder → the guest's locks: done.</summary>
public sealed record LockRelease(NodeId Node, int Vm = 0, int Lock = KernelLocks.Memlock) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockRelease;

    public ulong ContentHash() => Digest.Of(Kind, Node.Value, Vm, Lock);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Node.Value);
        writer.Write(Vm);
        writer.Write(Lock);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new LockRelease(new NodeId(reader.ReadInt("node", 0, MachineConstants.MaxNodes - 1)), reader.ReadInt("vm", 0, int.MaxValue), reader.ReadInt("lock", 0, KernelLocks.Count - 1));
}
