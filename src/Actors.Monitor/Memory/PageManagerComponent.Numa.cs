using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Monitor.Numa;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// Page migration [D 4.2.3, V]. The policy is a part of the page manager, central as the page manager is: a move
/// changes the pmap and the memmap and needs the shootdown, which only the page manager can do consistently; a
/// per-node policy would have to ask it anyway (and a page's history would have to follow it between nodes).
/// A migration: the policy decides on the interrupt's counts; every VCPU of the page's VM drops its entries (the
/// shootdown, whose last acknowledgement sends the copy request to the hot node's processor); the copy runs there
/// through the caches and memory controllers; the pmap and memmap then point to the new page, the old one is freed,
/// and the requests for the page held meanwhile are answered with the new one.
/// </summary>
public sealed partial class PageManagerComponent
{
    /// <summary>Migrations under way (for tests).</summary>
    public int Migrations => _migrations.Count;

    /// <summary>Migrations done (for tests).</summary>
    public long MigrationsDone => _migrations.Done;

    private void OnHotPage(HotPageInterrupt hot, IContext context)
    {
        if (_numa is null)
        {
            return;
        }

        // The directories count a replica's misses under its own number: the policy looks at its master.
        long page = _replicas.TryMasterOf(hot.Page.Value, out long master) ? master : hot.Page.Value;
        long now = context.Now.Ps;
        var hotPage = new HotPage(page, hot.Node.Value, hot.NodeMisses, hot.Writes, _pages.Allocator.NodeOf(page), _replicas.NodesOf(page));
        var decision = _numa.Decide(hotPage, now);
        if (decision == NumaAction.Replicate)
        {
            Replicate(hotPage, context);
            return;
        }

        if (decision != NumaAction.Migrate)
        {
            return;
        }

        if (_ids is null || !_pages.TryMovable(page, out var mapper) || _migrations.TryFind(mapper.Vm, mapper.Page, out _) || _shootdowns.TryFind(mapper.Vm, mapper.Page, out _))
        {
            _migrations.CountUnmovable();
            return;
        }

        int node = hot.Node.Value;
        long to = _pages.AllocateLike(page, mapper.Page, node);
        _pages.Pin(to); // held by the migration until it is mapped (or given back)
        _pages.Pin(page); // until the copy is done
        _pages.Pin(page); // until the shootdown is over (its last acknowledgement unpins its old pages)
        long id = _migrations.Start(mapper, page, to, node, now);
        _numa.Moving(hotPage, decision, now);
        _numa.Moved(page, to);
        long shootdown = StartShootdown(context, mapper.Vm, initiator: -1, [mapper.Page], [page]);
        _shootdowns.Defer(shootdown, _layout.Processor(node), _replyLatencyPs, now, new PageCopyRequest(id, page, to));
    }

    private void OnCopyDone(PageCopyDone done, IContext context)
    {
        if (done.Migration >= Replicas.IdBase)
        {
            OnReplicaCopied(done, context);
            return;
        }

        var (mapper, from, to, held) = _migrations.Peek(done.Migration);
        bool moved = _pages.Remap(mapper, from, to);
        _migrations.Finish(done.Migration, done.CopyPs, context.Now.Ps, moved);
        _pages.Unpin(from);
        _pages.Unpin(to); // mapped now, or free again
        if (!moved)
        {
            _numa!.Forget(to);
        }

        foreach (var request in held)
        {
            Handle(request, context);
        }
    }

    /// <summary>A request for a page that is moving waits until it has moved; one from a node the page is being copied to (from any guest page that maps it), until the replica is there.</summary>
    private bool HoldIfMoving(MachinePageRequest request)
    {
        if (_replicas.Count > 0 && _pages.TryMapping(request.Vm, request.GuestPage, out long page, out _) && _replicas.TryFindFor(page, request.Node.Value, out long replication))
        {
            _replicas.Hold(replication, request);
            return true;
        }

        if (_migrations.Count == 0 || !_migrations.TryFind(request.Vm, request.GuestPage, out long id))
        {
            return false;
        }

        _migrations.Hold(id, request);
        return true;
    }
}
