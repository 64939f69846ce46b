using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Numa;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// Page replication [D 4.2.3, V]. A page that several nodes read is copied to the node that made it hot: process
/// pages, kernel text and kernel data, file blocks, and pages several guest pages share copy-on-write (between VMs
/// or within one). The first replica downgrades a private page's mapping to read-only (a shared one is read-only
/// already); each replication shoots down, in every VM that maps the page, every VCPU's entries of the master (a
/// writable one, or a read-only one a VCPU on the hot node would keep using), then the copy runs on the hot node's
/// processor (the migrations' copy path); from then on a pmap fill from that node (a guest refill or the monitor's
/// kernel-segment fill alike) is answered with the replica, while the pmaps keep the master. A store to the page
/// traps as a copy-on-write fault would. On a private page the page manager collapses the replicas: the master turns
/// writable, every VCPU of the VM drops its entries of the master and of every replica (one shootdown), and only after
/// the last acknowledgement does the writer get the master and are the replicas freed. On a shared page (or a disk
/// cache page) the write is the copy-on-write break it always was, and the replicas go from every mapper's VM first
/// (<see cref="DropAllReplicas"/>): the other mappers could keep them, but then the writer's VM alone would have to
/// drop them, a second collapse path, and the replica table would have to follow a master whose mappers change under
/// it; the policy replicates the page again if it stays hot. A mapping change by other means (a disk read into it, a
/// disk write of it, an NFS remap, a release) first drops its replicas the same way.
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

        if (_ids is null || !_pages.TryReplicable(master, out var mapper, out bool writable) || !(writable || _replicas.Has(master) || _pages.IsCacheHeld(master) || _pages.Memmap(master).Count > 1)
            || _replicas.Copying(master) || Busy(master))
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

        // Every VCPU of every mapper's VM drops its entries of the page (writable ones, and the master itself, which a
        // VCPU on the hot node would otherwise keep using): their next fills get the master read-only, or, on the hot
        // node, wait for the replica. The copy waits for the first VM's shootdown only: a VCPU of another VM that still
        // reads the master meanwhile reads the same bytes, remotely.
        var shootdowns = ShootdownMappers(context, master, [master]);
        _shootdowns.Defer(shootdowns[0], _layout.Processor(node), _replyLatencyPs, now, new PageCopyRequest(id, master, replica));
    }

    /// <summary>A migration or shootdown under way involves a guest page that maps <paramref name="page"/>.</summary>
    private bool Busy(long page)
    {
        var mappers = _pages.Memmap(page);
        for (int i = 0; i < mappers.Count; i++)
        {
            if (_migrations.TryFind(mappers[i].Vm, mappers[i].Page, out _) || _shootdowns.TryFind(mappers[i].Vm, mappers[i].Page, out _))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Shoots down, in every VM that maps <paramref name="master"/> (in VM order), every VCPU's entries of
    /// <paramref name="pages"/> (the master or its replicas) for each of the VM's guest pages that map the master.
    /// Each page is pinned once per listing: the shootdown's last acknowledgement unpins it. Returns the ids.
    /// </summary>
    private List<long> ShootdownMappers(IContext context, long master, long[] pages)
    {
        var ids = new List<long>();
        foreach (var vm in _pages.Memmap(master).GroupBy(m => m.Vm).OrderBy(g => g.Key))
        {
            var guestPages = new List<long>();
            var old = new List<long>();
            foreach (var m in vm)
            {
                foreach (long p in pages)
                {
                    guestPages.Add(m.Page);
                    old.Add(p);
                    _pages.Pin(p);
                }
            }

            ids.Add(StartShootdown(context, vm.Key, initiator: -1, [.. guestPages], [.. old]));
        }

        return ids;
    }

    private void OnReplicaCopied(PageCopyDone done, IContext context)
    {
        var (_, master, replica, aborted, held) = _replicas.Peek(done.Migration);
        bool installed = !aborted && _pages.MappedReadOnly(master);
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
    /// A store to a replicated page. A page the disk cache holds, or several guest pages share, stays read-only: its
    /// replicas go from every mapper's VM (<see cref="DropAllReplicas"/>) and the writer gets its own copy as any
    /// copy-on-write fault does; false. Else the master turns writable; every VCPU of the VM (the writer too) drops its
    /// entries of the master and the replicas; the writer's grant and the replicas' freeing wait for the last acknowledgement.
    /// </summary>
    private bool Collapse(CopyOnWriteRequest c, long master, IContext context)
    {
        if (_pages.IsCacheHeld(master) || _pages.Memmap(master).Count > 1)
        {
            DropAllReplicas(context, master);
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
    /// (shootdowns nobody waits for: each travels ahead of the change's own shootdown or completion on the same links).
    /// </summary>
    private void DropReplicas(IContext context, int vm, long[] guestPages)
    {
        if (_replicas.Live == 0 && _replicas.Count == 0)
        {
            return;
        }

        foreach (long g in guestPages)
        {
            if (_pages.TryMapping(vm, g, out long master, out _) && _replicas.Has(master))
            {
                DropAllReplicas(context, master);
            }
        }
    }

    /// <summary>
    /// <paramref name="master"/>'s replicas leave the table (replications under way are given up) and every VCPU of
    /// every VM that maps the master drops its entries of them; each is freed after the last acknowledgement.
    /// </summary>
    private void DropAllReplicas(IContext context, long master)
    {
        long[] replicas = _replicas.Collapse(master);
        if (replicas.Length == 0)
        {
            return;
        }

        foreach (long id in ShootdownMappers(context, master, replicas))
        {
            _replicas.CollapseStarted(id, context.Now.Ps);
        }

        foreach (long r in replicas)
        {
            _pages.Unpin(r); // the table's pin: the shootdowns' pins hold each until its last acknowledgement
        }
    }

    /// <summary>
    /// A replicated page got another mapping (another guest page or VM mapped the same cached block, read-only as
    /// every shared mapping is): its replicas serve the new mapper too. A writable one would make them stale: they go.
    /// </summary>
    private void CollapseIfWritable(IContext context, long page)
    {
        if ((_replicas.Live == 0 && _replicas.Count == 0) || !_replicas.Has(page) || _pages.MappedReadOnly(page))
        {
            return;
        }

        DropAllReplicas(context, page);
    }

    /// <summary>The page a pmap fill from <paramref name="node"/> gets: the node's replica of a read-only page if it has one, else the page.</summary>
    private long Local(long page, bool writable, int node) =>
        !writable && _replicas.Live > 0 && _replicas.TryReplicaOn(page, node, out long replica) ? replica : page;

    private bool IsReplicaOf(long replica, long master) => _replicas.TryMasterOf(replica, out long m) && m == master;

    /// <summary>Every replica copies a page that guest pages map, every one read-only, and is not mapped by a pmap itself.</summary>
    private string? ReplicaDisagreement()
    {
        foreach (var (replica, master) in _replicas.Entries)
        {
            if (!_pages.MappedReadOnly(master))
            {
                return $"replica {replica} of machine page {master}, which {_pages.Memmap(master).Count} guest pages map (none, or one writable)";
            }

            if (_pages.Allocator.KindOf(replica) != PageManager.ReplicaKind || _pages.Memmap(replica).Count > 0)
            {
                return $"replica {replica} of machine page {master} is not a replica page, or a pmap maps it";
            }
        }

        return null;
    }
}
