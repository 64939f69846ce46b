using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The semaphore of a region an SMP guest's threads share (<c>guest.semaphore</c>): a sleeping lock. IRIX holds it
/// across a whole fault on the region, so threads that fault on it at once serialize; a waiter's thread sleeps until
/// the release wakes it, first come, first served. (The memlock, the kernel's spin lock, is not here: it is a word in
/// the kernel's data that the processors take through their caches, <see cref="Hardware.Processor.OperationKind.Acquire"/>.)
/// </summary>
public sealed class SemaphoreComponent : Component
{
    public const string KindName = "guest.semaphore";

    private const int Lock = KernelLocks.RegionSemaphore;

    private readonly MachineLayout _layout;
    private readonly long _latencyPs;
    private readonly int _vm;

    // State (declared in DeclareState).
    private int _holder = -1;
    private readonly Queue<int> _waiting = new();
    private long _grants;
    private long _contended;

    /// <param name="vm">The VM whose kernel it belongs to (0 on bare hardware).</param>
    public SemaphoreComponent(ComponentId id, MachineLayout layout, long latencyPs, int vm = 0)
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
            case LockAcquire { Lock: not Lock } or LockRelease { Lock: not Lock }:
                throw new InvalidOperationException($"{this}: {message} for a lock other than the region semaphore");
            case LockAcquire a when _holder < 0:
                Grant(a.Node.Value, woken: false, context);
                break;
            case LockAcquire a:
                _contended++;
                _waiting.Enqueue(a.Node.Value);
                break;
            case LockRelease r:
                if (r.Node.Value != _holder)
                {
                    throw new InvalidOperationException($"{this}: node {r.Node} released the region semaphore node {_holder} holds");
                }

                _holder = -1;
                if (_waiting.Count > 0)
                {
                    Grant(_waiting.Dequeue(), woken: true, context);
                }

                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    private void Grant(int node, bool woken, IContext context)
    {
        _holder = node;
        _grants++;
        context.Send(_layout.Processor(node), new SimTime(_latencyPs), new LockGrant(_vm, Lock, woken));
    }

    public override void DeclareState(ref StateIo io)
    {
        int maxNode = _layout.Nodes - 1;
        io.Int("region_sem holder", ref _holder, -1, maxNode);
        io.Queue("region_sem waiting", _waiting, _layout.Nodes, (ref StateIo io, ref int node) => io.Int("waiting node", ref node, 0, maxNode));
        io.Counter("guest.region_sem.grants", ref _grants);
        io.Counter("guest.region_sem.contended", ref _contended);
    }
}
