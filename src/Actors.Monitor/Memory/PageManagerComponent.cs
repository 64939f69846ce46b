using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The page manager as a component (<c>monitor.pages</c>): one for the machine, because pmaps, memmap and the disk
/// cache are machine-wide. A processor's monitor asks it for the machine page behind a guest-physical page the first
/// time that processor needs it (the round trip's latency is the cost of filling a pmap entry), sends it the guests'
/// disk reads (it maps cached blocks and reads the others from the disks), their disk writes (kept in memory, private
/// to the VM, on the shared non-persistent disk; written through on a persistent one) and their copy-on-write faults.
/// </summary>
public sealed class PageManagerComponent : Component
{
    public const string KindName = "monitor.pages";

    private const int BufferCacheKind = (int)Guest.GuestPageKind.BufferCache;

    private readonly PageManager _pages;
    private readonly MachineLayout _layout;
    private readonly long _replyLatencyPs;
    private readonly long _pageCopyPs;
    private readonly long _toDiskPs;
    private readonly bool _checkInvariants;
    private readonly long _monitorPages;
    private readonly long _sectorsPerPage;
    private readonly Vms.MonitorIds? _ids;

    // State (checkpointed, in this order, then the page manager's).
    private readonly SortedDictionary<long, (VirtualDiskIo Io, long[] Pages)> _pending = [];
    private long _nextDiskRequest;
    private long _requests;
    private long _diskRequests;
    private long _diskWrites;

    /// <param name="replyLatencyPs">Latency of the links back to the processors (half the pmap fill).</param>
    /// <param name="pageCopyPs">Time of a 4 KB copy, added to a copy-on-write reply.</param>
    /// <param name="toDiskPs">Latency of the links to the disks.</param>
    /// <param name="monitorPages">Machine pages of the monitor's own code and data (<see cref="Vcpus.MonitorParams.FootprintPages"/>).</param>
    /// <param name="sectorBytes">The disks' sector size (<see cref="DiskParams.SectorBytes"/>): a page is that many sectors apart from the next.</param>
    /// <param name="ids">Where the VM managers are: a transfer's completion goes to its VM's (null: to the processor that asked).</param>
    public PageManagerComponent(ComponentId id, PageManager pages, MachineLayout layout, long replyLatencyPs, long pageCopyPs, long toDiskPs, bool checkInvariants, long monitorPages, int sectorBytes, Vms.MonitorIds? ids = null)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(sectorBytes, 1);
        _monitorPages = monitorPages;
        _pages = pages;
        _layout = layout;
        _replyLatencyPs = replyLatencyPs;
        _pageCopyPs = pageCopyPs;
        _toDiskPs = toDiskPs;
        _checkInvariants = checkInvariants;
        _sectorsPerPage = MachineConstants.PageSizeBytes / sectorBytes;
        _ids = ids;
    }

    public override string Kind => KindName;

    public override int PlacementKey => 0;

    public PageManager Pages => _pages;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case MachinePageRequest m:
            {
                _requests++;
                long page = m.Block is { } block
                    ? _pages.MapBlock(m.Vm, m.GuestPage, block.Disk, block.Sector, m.Node.Value, m.PageKind).Page
                    : _pages.Translate(m.Vm, m.GuestPage, m.Node.Value, m.PageKind);

                // A page the VM has already (another of its VCPUs filled it) may be read-only by now: shared, or written to disk.
                Reply(context, m.Node, new MachinePageGrant(m.Vm, m.GuestPage, new MachinePage(page), _pages.IsWritable(m.Vm, m.GuestPage)), 0);
                break;
            }

            case VirtualDiskIo { IsWrite: false } r:
                OnRead(r, context);
                break;
            case VirtualDiskIo w:
                OnWrite(w, context);
                break;
            case DiskComplete d:
            {
                if (!_pending.Remove(d.RequestId, out var pending))
                {
                    throw new InvalidOperationException($"{this}: completion of unknown disk request {d.RequestId}");
                }

                Complete(context, pending.Io.Node, new VirtualDiskDone(pending.Io.Vm, pending.Io.RequestId, pending.Io.GuestPages, pending.Pages));
                break;
            }

            case Network.NfsReply n:
            {
                for (int i = 0; i < n.Pages.Length; i++)
                {
                    _pages.ShareInto(n.ClientVm, n.ClientPages[i], n.Pages[i]);
                }

                Complete(context, n.ClientNode, new VirtualDiskDone(n.ClientVm, n.RequestId, n.ClientPages, n.Pages));
                break;
            }

            case CopyOnWriteRequest c:
            {
                long page = _pages.CopyOnWrite(c.Vm, c.GuestPage, c.Node.Value);
                Reply(context, c.Node, new MachinePageGrant(c.Vm, c.GuestPage, new MachinePage(page), Writable: true), _pageCopyPs);
                break;
            }

            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }

        if (_checkInvariants && _pages.Disagreement() is { } problem)
        {
            throw new InvalidOperationException($"{this}: {problem}");
        }
    }

    /// <summary>Maps every block of a guest read from the cache; reads the ones it did not hold from the disk first.</summary>
    private void OnRead(VirtualDiskIo r, IContext context)
    {
        var pages = new long[r.GuestPages.Length];
        var missing = new List<long>();
        long firstMissing = -1;
        for (int i = 0; i < pages.Length; i++)
        {
            long sector = r.Sector + (i * _sectorsPerPage);
            var (page, cached) = _pages.MapBlock(r.Vm, r.GuestPages[i], r.CacheDisk, sector, r.Node.Value, BufferCacheKind);
            pages[i] = page;
            if (!cached)
            {
                firstMissing = firstMissing < 0 ? sector : firstMissing;
                missing.Add(page);
            }
        }

        if (missing.Count == 0)
        {
            Reply(context, r.Node, new VirtualDiskDone(r.Vm, r.RequestId, r.GuestPages, pages), 0);
            return;
        }

        long id = _nextDiskRequest++;
        _diskRequests++;
        _pending[id] = (r, pages);
        context.Send(_layout.Disk(r.Disk), new SimTime(_toDiskPs), new DiskRequest(id, Write: false, firstMissing, [.. missing], Id));
    }

    /// <summary>
    /// A guest's synchronous write: the pages become the blocks' copy (cached for a persistent disk, private to the
    /// VM for a non-persistent one); only a persistent disk is written, with the same machine pages as the DMA source.
    /// </summary>
    private void OnWrite(VirtualDiskIo w, IContext context)
    {
        var pages = new long[w.GuestPages.Length];
        for (int i = 0; i < pages.Length; i++)
        {
            pages[i] = _pages.WriteBlock(w.Vm, w.GuestPages[i], w.CacheDisk, w.Sector + (i * _sectorsPerPage), w.Persistent);
        }

        if (!w.Persistent)
        {
            Reply(context, w.Node, new VirtualDiskDone(w.Vm, w.RequestId, w.GuestPages, pages), 0);
            return;
        }

        long id = _nextDiskRequest++;
        _diskWrites++;
        _pending[id] = (w, pages);
        context.Send(_layout.Disk(w.Disk), new SimTime(_toDiskPs), new DiskRequest(id, Write: true, w.Sector, pages, Id));
    }

    /// <summary>A virtual interrupt: to the VM's manager, which posts it to the VCPU that asked, wherever it is.</summary>
    private void Complete(IContext context, NodeId node, VirtualDiskDone done)
    {
        if (_ids is null)
        {
            Reply(context, node, done, 0);
            return;
        }

        context.Send(_ids.VmManager(done.Vm), new SimTime(_replyLatencyPs), done);
    }

    private void Reply(IContext context, NodeId node, ISimMessage message, long extraPs) =>
        context.Send(_layout.Processor(node.Value), new SimTime(_replyLatencyPs + extraPs), message);

    public override void DeclareState(ref StateIo io)
    {
        io.Map("disk transfers", _pending, 1 << 20, static (ref StateIo io, ref long id) => io.Long("disk request", ref id, 0), static (ref StateIo io, ref (VirtualDiskIo Io, long[] Pages) t) =>
        {
            io.Message("virtual disk transfer", ref t.Io);
            io.LongArray("pages", ref t.Pages, 1024, 0);
        });
        io.Long("next disk request", ref _nextDiskRequest, 0);
        io.Counter("monitor.pmap_fills", ref _requests);
        io.Counter("disk_requests.issued", ref _diskRequests);
        io.Counter("disk_writes.issued", ref _diskWrites);
        io.Part(_pages);
    }

    /// <summary>The declared counters, then the figures derived from the page manager's state.</summary>
    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        base.ReportStats(sink);
        sink.Add("memory_pages.machine", _pages.MachinePagesInUse);
        sink.Add("memory_pages.machine_peak", _pages.PeakMachinePages);
        sink.Add("disk_requests.shared", _pages.SharedReads);
        sink.Add("monitor.copy_on_write", _pages.Copies);
        sink.Add("network.bytes_remapped", _pages.Remaps * MachineConstants.PageSizeBytes);

        // Whole pages only travel here, so nothing is copied; the key is kept so tools can compare the two.
        sink.Add("monitor.disk_cache_pages", _pages.CachedBlocks);
        for (int k = 0; k < Guest.GuestKernel.FootprintKinds.Length; k++)
        {
            sink.Add("footprint.machine." + Guest.GuestKernel.FootprintKinds[k], _pages.PagesOfKind(k));
        }

        // The monitor's own structures are not pages it hands out: outside memory_pages.machine, inside the footprint.
        sink.Add("footprint.machine.monitor", _monitorPages);
        foreach (int vm in _pages.Vms)
        {
            sink.Add($"vm.{vm}.memory_pages.machine", _pages.Pmap(vm).Count);
            sink.Add($"vm.{vm}.disk_requests.shared", _pages.SharedReadsOf(vm));
            sink.Add($"vm.{vm}.copy_on_write", _pages.CopiesOf(vm));
        }
    }
}
