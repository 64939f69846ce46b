using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Numa;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// Page replication [D 4.2.3, V]. A page that several nodes read is copied to the node that made it hot: the first
/// replica downgrades the page's mapping to read-only; each replication shoots down every VCPU of its VM's entries of
/// the master (a writable one, or a read-only one a VCPU on the hot node would keep using), then the copy runs on the hot node's processor (the migrations' copy path); from then on a pmap fill from
/// that node is answered with the replica, while the pmap keeps the master. A store to the page traps as a
/// copy-on-write fault would; the page manager then collapses the replicas: the master turns writable, every VCPU of
/// the VM drops its entries of the master and of every replica (one shootdown), and only after the last
/// acknowledgement does the writer get the master and are the replicas freed. A mapping change of the page by other
/// means (a disk read into it, a disk write of it, an NFS remap) first drops its replicas the same way.
/// </summary>
public sealed partial class PageManagerComponent
{
    private readonly bool _replicate;

    /// <summary>The replica table, the replications and collapses under way (for tests).</summary>
    public Replicas Replicas => _replicas;

    private void Replicate(in HotPage hot, IContext context)
    {
        long master = hot.Page;
        int node = hot.HotNode;
        long now = context.Now.Ps;
        if (!_replicate)
        {
            return; // counted as the policy's decision only: the comparison without replication
        }

        if (_ids is null || !_pages.TryReplicable(master, out var mapper, out bool writable) || !(writable || _replicas.Has(master) || _pages.IsCacheHeld(master))
            || _replicas.Copying(master) || _migrations.TryFind(mapper.Vm, mapper.Page, out _) || _shootdowns.TryFind(mapper.Vm, mapper.Page, out _))
        {
            _replicas.CountUnreplicable();
            return;
        }

        long replica = _pages.AllocateReplica(mapper.Page, node);
        if (_pages.Allocator.NodeOf(replica) != node)
        {
            // The node's memory is full: a copy elsewhere would not make its misses local.
            _pages.Unpin(replica);
            _replicas.CountUnreplicable();
            return;
        }

        _pages.Pin(master); // until the copy is done
        long id = _replicas.Start(mapper, master, replica, node, now);
        _numa!.Moving(hot, NumaAction.Replicate, now);
        if (writable)
        {
            _pages.MakeReadOnly(mapper);
        }

        // Every VCPU drops its entries of the page (writable ones, and the master itself, which a VCPU on the hot node
        // would otherwise keep using): their next fills get the master read-only, or, on the hot node, wait for the replica.
        _pages.Pin(master); // until the shootdown is over
        long shootdown = StartShootdown(context, mapper.Vm, initiator: -1, [mapper.Page], [master]);
        _shootdowns.Defer(shootdown, _layout.Processor(node), _replyLatencyPs, now, new PageCopyRequest(id, master, replica));
    }

    private void OnReplicaCopied(PageCopyDone done, IContext context)
    {
        var (mapper, master, replica, aborted, held) = _replicas.Peek(done.Migration);
        bool installed = !aborted && _pages.TryMapping(mapper.Vm, mapper.Page, out long now, out bool writable) && now == master && !writable;
        _replicas.Finish(done.Migration, done.CopyPs, context.Now.Ps, installed);
        if (!installed)
        {
            _pages.Unpin(replica);
        }

        _pages.Unpin(master);
        foreach (var request in held)
        {
            Handle(request, context);
        }
    }

    /// <summary>
    /// A store to a replicated page. A page the disk cache holds stays read-only: its replicas go (<see cref="DropReplicas"/>)
    /// and the writer gets its own copy as any copy-on-write fault does; false. Else the master turns writable; every VCPU of the VM (the writer too) drops its
    /// entries of the master and the replicas; the writer's grant and the replicas' freeing wait for the last acknowledgement.
    /// </summary>
    private bool Collapse(CopyOnWriteRequest c, long master, IContext context)
    {
        if (_pages.IsCacheHeld(master))
        {
            DropReplicas(context, c.Vm, [c.GuestPage]);
            return false;
        }

        var mapper = new GuestPage(c.Vm, c.GuestPage);
        long[] replicas = _replicas.Collapse(master); // each keeps its pin until the shootdown is over
        _pages.MakeWritable(mapper);
        _pages.Pin(master); // until the shootdown is over
        long[] old = [master, .. replicas];
        long id = StartShootdown(context, c.Vm, initiator: -1, [.. old.Select(_ => c.GuestPage)], old);
        _replicas.CollapseStarted(id, context.Now.Ps);
        _shootdowns.Defer(id, _layout.Processor(c.Node.Value), _replyLatencyPs, SentPs(context, c.Vm), new MachinePageGrant(c.Vm, c.GuestPage, new MachinePage(master), Writable: true));
        return true;
    }

    /// <summary>
    /// The mapping of (vm, <paramref name="guestPages"/>) is about to change: replicas of what they map go first
    /// (a shootdown nobody waits for: it travels ahead of the change's own shootdown or completion on the same links).
    /// </summary>
    private void DropReplicas(IContext context, int vm, long[] guestPages)
    {
        if (_replicas.Live == 0 && _replicas.Count == 0)
        {
            return;
        }

        foreach (long g in guestPages)
        {
            if (!_pages.TryMapping(vm, g, out long master, out _) || !_replicas.Has(master))
            {
                continue;
            }

            long[] replicas = _replicas.Collapse(master);
            if (replicas.Length > 0)
            {
                long id = StartShootdown(context, vm, initiator: -1, [.. replicas.Select(_ => g)], replicas);
                _replicas.CollapseStarted(id, context.Now.Ps);
            }
        }
    }

    /// <summary>
    /// A replicated page got a second mapping (another guest page or VM mapped the same cached block): replicas are
    /// for pages one guest page maps (<see cref="PageManager.TryReplicable"/>), so they go, from every mapper's VM.
    /// </summary>
    private void CollapseIfShared(IContext context, long page)
    {
        if ((_replicas.Live == 0 && _replicas.Count == 0) || !_replicas.Has(page) || _pages.Memmap(page).Count < 2)
        {
            return;
        }

        long[] replicas = _replicas.Collapse(page);
        var mappers = _pages.Memmap(page);
        for (int i = 0; i < mappers.Count && replicas.Length > 0; i++)
        {
            var m = mappers[i];
            foreach (long r in replicas)
            {
                _pages.Pin(r); // one pin for each shootdown that lists it; the table's goes below
            }

            long id = StartShootdown(context, m.Vm, initiator: -1, [.. replicas.Select(_ => m.Page)], replicas);
            _replicas.CollapseStarted(id, context.Now.Ps);
        }

        foreach (long r in replicas)
        {
            _pages.Unpin(r);
        }
    }

    /// <summary>The page a pmap fill from <paramref name="node"/> gets: the node's replica of a read-only page if it has one, else the page.</summary>
    private long Local(long page, bool writable, int node) =>
        !writable && _replicas.Live > 0 && _replicas.TryReplicaOn(page, node, out long replica) ? replica : page;

    private bool IsReplicaOf(long replica, long master) => _replicas.TryMasterOf(replica, out long m) && m == master;

    /// <summary>Every replica copies a page one guest page maps read-only, and is held (pinned) while in the table.</summary>
    private string? ReplicaDisagreement()
    {
        foreach (var (replica, master) in _replicas.Entries)
        {
            var mappers = _pages.Memmap(master);
            if (mappers.Count != 1 || _pages.IsWritable(mappers[0].Vm, mappers[0].Page))
            {
                return $"replica {replica} of machine page {master}, which {mappers.Count} guest pages map (writable or shared)";
            }

            if (_pages.Allocator.KindOf(replica) != PageManager.ReplicaKind || _pages.Memmap(replica).Count > 0)
            {
                return $"replica {replica} of machine page {master} is not a replica page, or a pmap maps it";
            }
        }

        return null;
    }
}
