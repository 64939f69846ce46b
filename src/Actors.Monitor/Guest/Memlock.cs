using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>A processor of an SMP guest → the memlock: wants the lock (it spins until granted).</summary>
public sealed record LockAcquire(NodeId Node, int Vm = 0) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockAcquire;

    public ulong ContentHash() => Digest.Of(Kind, Node.Value, Vm);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Node.Value);
        writer.Write(Vm);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new LockAcquire(new NodeId(reader.ReadInt("node", 0, MachineConstants.MaxNodes - 1)), reader.ReadInt("vm", 0, int.MaxValue));
}

/// <summary>The memlock → the processor: it holds the lock now.</summary>
public sealed record LockGrant(int Vm = 0) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockGrant;

    public ulong ContentHash() => Digest.Of(Kind, Vm);

    public void Write(ref StateWriter writer) => writer.Write(Vm);

    public static ISimMessage Read(ref StateReader reader) => new LockGrant(reader.ReadInt("vm", 0, int.MaxValue));
}

/// <summary>The holder → the memlock: done.</summary>
public sealed record LockRelease(NodeId Node, int Vm = 0) : ISimMessage
{
    public int Kind => MonitorMessageKinds.LockRelease;

    public ulong ContentHash() => Digest.Of(Kind, Node.Value, Vm);

    public void Write(ref StateWriter writer)
    {
        writer.Write(Node.Value);
        writer.Write(Vm);
    }

    public static ISimMessage Read(ref StateReader reader) =>
        new LockRelease(new NodeId(reader.ReadInt("node", 0, MachineConstants.MaxNodes - 1)), reader.ReadInt("vm", 0, int.MaxValue));
}

/// <summary>
/// The memlock of an SMP guest (<c>guest.memlock</c>): IRIX's spin lock on its memory-management structures, which
/// every page fault, fork, exec and exit takes [D 5.5]. Waiters are served first come, first served; the message
/// latency to and from it stands for the lock line's coherence misses. Contention grows with processors and with
/// longer critical sections: the scaling experiment's point.
/// </summary>
public sealed class MemlockComponent : Component
{
    public const string KindName = "guest.memlock";

    private readonly MachineLayout _layout;
    private readonly long _latencyPs;
    private readonly int _vm;

    // State (checkpointed, in this order).
    private int _holder = -1;
    private readonly Queue<int> _waiting = new();
    private long _grants;
    private long _contended;

    /// <param name="vm">The VM whose kernel it belongs to (0 on bare hardware).</param>
    public MemlockComponent(ComponentId id, MachineLayout layout, long latencyPs, int vm = 0)
        : base(id)
    {
        _vm = vm;
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        _latencyPs = latencyPs;
    }

    public override string Kind => KindName;

    public override int PlacementKey => 0;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case LockAcquire a when _holder < 0:
                Grant(a.Node.Value, context);
                break;
            case LockAcquire a:
                _contended++;
                _waiting.Enqueue(a.Node.Value);
                break;
            case LockRelease r:
                if (r.Node.Value != _holder)
                {
                    throw new InvalidOperationException($"{this}: node {r.Node} released the memlock node {_holder} holds");
                }

                _holder = -1;
                if (_waiting.Count > 0)
                {
                    Grant(_waiting.Dequeue(), context);
                }

                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    private void Grant(int node, IContext context)
    {
        _holder = node;
        _grants++;
        context.Send(_layout.Processor(node), new SimTime(_latencyPs), new LockGrant(_vm));
    }

    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add("guest.memlock.grants", _grants);
        sink.Add("guest.memlock.contended", _contended);
    }

    protected override void SaveState(ref StateWriter writer)
    {
        writer.Write(_holder);
        writer.Write(_waiting.ToArray());
        writer.Write(_grants);
        writer.Write(_contended);
    }

    protected override void LoadState(ref StateReader reader)
    {
        _holder = reader.ReadInt("holder", -1, _layout.Nodes - 1);
        _waiting.Clear();
        foreach (int n in reader.ReadIntArray("waiting", _layout.Nodes))
        {
            _waiting.Enqueue(n);
        }

        _grants = reader.ReadLong("grants", 0, long.MaxValue);
        _contended = reader.ReadLong("contended", 0, long.MaxValue);
    }
}
