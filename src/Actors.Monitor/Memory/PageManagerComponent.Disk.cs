using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Memory;

/// <summary>The guests' disk reads and writes: cached blocks mapped, the others read from or written to the disks.</summary>
public sealed partial class PageManagerComponent
{
    /// <summary>Maps every block of a guest read from the cache; reads the ones it did not hold from the disk first.</summary>
    private void OnRead(VirtualDiskIo r, IContext context)
    {
        DropReplicas(context, r.Vm, r.GuestPages);
        var before = Before(r.Vm, r.GuestPages);
        var pages = new long[r.GuestPages.Length];
        var missing = new List<long>();
        long firstMissing = -1;
        for (int i = 0; i < pages.Length; i++)
        {
            long sector = r.Sector + (i * _sectorsPerPage);
            var (page, cached) = _pages.MapBlock(r.Vm, r.GuestPages[i], r.CacheDisk, sector, r.Node.Value, BufferCacheKind);
            pages[i] = page;
            CollapseIfWritable(context, page);
            if (!cached)
            {
                firstMissing = firstMissing < 0 ? sector : firstMissing;
                missing.Add(page);
            }
        }

        long shootdown = Shootdown(context, r.Vm, r.RequestId.Vcpu.Value, before);
        if (missing.Count == 0)
        {
            ReplyAfter(context, shootdown, r.Vm, r.Node, new VirtualDiskDone(r.Vm, r.RequestId, r.GuestPages, pages));
            return;
        }

        long id = _nextDiskRequest++;
        _diskRequests++;
        _pending[id] = (r, pages);
        if (shootdown >= 0)
        {
            _shootdowns.Gate(id, shootdown);
        }

        context.Send(_layout.Disk(r.Disk), new SimTime(_toDiskPs), new DiskRequest(id, Write: false, firstMissing, [.. missing], Id));
    }

    /// <summary>
    /// A guest's synchronous write: the pages become the blocks' copy (cached for a persistent disk, private to the
    /// VM for a non-persistent one); only a persistent disk is written, with the same machine pages as the DMA source.
    /// </summary>
    private void OnWrite(VirtualDiskIo w, IContext context)
    {
        DropReplicas(context, w.Vm, w.GuestPages);
        var before = Before(w.Vm, w.GuestPages);
        var pages = new long[w.GuestPages.Length];
        for (int i = 0; i < pages.Length; i++)
        {
            pages[i] = _pages.WriteBlock(w.Vm, w.GuestPages[i], w.CacheDisk, w.Sector + (i * _sectorsPerPage), w.Persistent);
        }

        // The written pages turn read-only: another VCPU's writable entry would change the saved data.
        long shootdown = Shootdown(context, w.Vm, w.RequestId.Vcpu.Value, before);
        if (!w.Persistent)
        {
            ReplyAfter(context, shootdown, w.Vm, w.Node, new VirtualDiskDone(w.Vm, w.RequestId, w.GuestPages, pages));
            return;
        }

        long id = _nextDiskRequest++;
        _diskWrites++;
        _pending[id] = (w, pages);
        if (shootdown >= 0)
        {
            _shootdowns.Gate(id, shootdown);
        }

        context.Send(_layout.Disk(w.Disk), new SimTime(_toDiskPs), new DiskRequest(id, Write: true, w.Sector, pages, Id));
    }

    /// <summary>A virtual interrupt: to the VM's manager, which posts it to the VCPU that asked, wherever it is.</summary>
    private void Complete(IContext context, NodeId node, VirtualDiskDone done)
    {
        var (to, delayPs) = CompletionRoute(node, done);
        context.Send(to, new SimTime(delayPs), done);
    }

    private (ComponentId To, long DelayPs) CompletionRoute(NodeId node, VirtualDiskDone done) =>
        (_ids is null ? _layout.Processor(node.Value) : _ids.VmManager(done.Vm), _replyLatencyPs);
}
