using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The VM-subsystem locks of an SMP guest (<c>guest.memlock</c>): IRIX's spin lock on its memory-management
/// structures, which every page fault, fork, exec and exit takes [D 5.5], and the semaphore of a region the threads
/// of one program share (<see cref="KernelLocks"/>). Waiters of each lock are served first come, first served; the
/// message latency to and from it stands for the lock line's coherence misses. Contention grows with processors and
/// with longer critical sections: the scaling experiment's point.
/// </summary>
public sealed class MemlockComponent : Component
{
    public const string KindName = "guest.memlock";

    private readonly MachineLayout _layout;
    private readonly long _latencyPs;
    private readonly int _vm;

    // State (declared in DeclareState, lock by lock).
    private readonly int[] _holder = [.. Enumerable.Repeat(-1, KernelLocks.Count)];
    private readonly Queue<int>[] _waiting = [.. Enumerable.Range(0, KernelLocks.Count).Select(_ => new Queue<int>())];
    private readonly long[] _grants = new long[KernelLocks.Count];
    private readonly long[] _contended = new long[KernelLocks.Count];

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
            case LockAcquire a when _holder[a.Lock] < 0:
                Grant(a.Lock, a.Node.Value, context);
                break;
            case LockAcquire a:
                _contended[a.Lock]++;
                _waiting[a.Lock].Enqueue(a.Node.Value);
                break;
            case LockRelease r:
                if (r.Node.Value != _holder[r.Lock])
                {
                    throw new InvalidOperationException($"{this}: node {r.Node} released the {KernelLocks.Names[r.Lock]} node {_holder[r.Lock]} holds");
                }

                _holder[r.Lock] = -1;
                if (_waiting[r.Lock].Count > 0)
                {
                    Grant(r.Lock, _waiting[r.Lock].Dequeue(), context);
                }

                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    private void Grant(int lockId, int node, IContext context)
    {
        _holder[lockId] = node;
        _grants[lockId]++;
        context.Send(_layout.Processor(node), new SimTime(_latencyPs), new LockGrant(_vm, lockId));
    }

    public override void DeclareState(ref StateIo io)
    {
        int maxNode = _layout.Nodes - 1;
        for (int l = 0; l < KernelLocks.Count; l++)
        {
            string name = KernelLocks.Names[l];
            io.Int($"{name} holder", ref _holder[l], -1, maxNode);
            io.Queue($"{name} waiting", _waiting[l], _layout.Nodes, (ref StateIo io, ref int node) => io.Int("waiting node", ref node, 0, maxNode));
            io.Counter($"guest.{name}.grants", ref _grants[l]);
            io.Counter($"guest.{name}.contended", ref _contended[l]);
        }
    }
}
