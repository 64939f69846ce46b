using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
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
public sealed partial class PageManagerComponent : Component
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
    private readonly long _shootdownSendPs;
    private readonly int _vcpusPerVm;

    // State (checkpointed, in this order, then the page manager's).
    private readonly SortedDictionary<long, (VirtualDiskIo Io, long[] Pages)> _pending = [];
    private long _nextDiskRequest;
    private long _requests;
    private long _diskRequests;
    private long _diskWrites;
    private long _releasedPages;
    private readonly Shootdowns _shootdowns = new();
    private readonly Numa.NumaPolicy? _numa;
    private readonly Numa.Migrations _migrations = new();
    private readonly Numa.Replicas _replicas;

    /// <param name="replyLatencyPs">Latency of the links back to the processors (half the pmap fill).</param>
    /// <param name="pageCopyPs">Time of a 4 KB copy, added to a copy-on-write reply.</param>
    /// <param name="toDiskPs">Latency of the links to the disks.</param>
    /// <param name="monitorPages">Machine pages of the monitor's own code and data (<see cref="Vcpus.MonitorParams.FootprintPages"/>).</param>
    /// <param name="sectorBytes">The disks' sector size (<see cref="DiskParams.SectorBytes"/>): a page is that many sectors apart from the next.</param>
    /// <param name="ids">Where the VM managers are: a transfer's completion goes to its VM's (null: to the processor that asked), and the VCPUs a shootdown reaches.</param>
    /// <param name="shootdownSendPs">The initiator's time to post one shootdown message (<c>disco.monitor.shootdown-send</c>).</param>
    public PageManagerComponent(ComponentId id, PageManager pages, MachineLayout layout, long replyLatencyPs, long pageCopyPs, long toDiskPs, bool checkInvariants, long monitorPages, int sectorBytes, Vms.MonitorIds? ids = null, long shootdownSendPs = 0, Numa.NumaParams? numa = null, long hotPageIntervalPs = 1)
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
        _shootdownSendPs = shootdownSendPs;
        _vcpusPerVm = ids is null ? 1 : ids.Vcpus / ids.Vms;
        _numa = numa is { Enabled: true } ? new Numa.NumaPolicy(numa, hotPageIntervalPs) : null;
        _replicate = numa is { Enabled: true, Replicate: true };
        _replicas = new Numa.Replicas(pages.Allocator.PagesPerNode);
    }

    public override string Kind => KindName;

    public override int PlacementKey => 0;

    public PageManager Pages => _pages;

    /// <summary>The TLB shootdowns under way (for invariant checks in tests).</summary>
    public Shootdowns Shootdowns => _shootdowns;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case MachinePageRequest m when HoldIfMoving(m):
                break;
            case MachinePageRequest m:
            {
                _requests++;

                // A page the VM maps already (another of its VCPUs filled it, then maybe copied it) keeps its
                // mapping: mapping the block again would undo that VCPU's copy.
                long page = m.Block is { } block && !_pages.TryMapping(m.Vm, m.GuestPage, out _, out _)
                    ? _pages.MapBlock(m.Vm, m.GuestPage, block.Disk, block.Sector, m.Node.Value, m.PageKind).Page
                    : _pages.Translate(m.Vm, m.GuestPage, m.Node.Value, m.PageKind);
                CollapseIfWritable(context, page);

                // A page the VM has already may be read-only by now: shared, or written to disk.
                bool writable = _pages.IsWritable(m.Vm, m.GuestPage);
                ReplyAfterShootdown(context, m.Vm, m.GuestPage, m.Node, new MachinePageGrant(m.Vm, m.GuestPage, new MachinePage(Local(page, writable, m.Node.Value)), writable));
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

                var done = Current(new VirtualDiskDone(pending.Io.Vm, pending.Io.RequestId, pending.Io.GuestPages, pending.Pages));
                if (_shootdowns.TryTakeGate(d.RequestId, out long gate))
                {
                    var (to, delayPs) = CompletionRoute(pending.Io.Node, done);
                    _shootdowns.Defer(gate, to, delayPs, context.Now.Ps, done);
                }
                else
                {
                    Complete(context, pending.Io.Node, done);
                }

                break;
            }

            case Network.NfsReply n:
            {
                DropReplicas(context, n.ClientVm, n.ClientPages);
                var before = Before(n.ClientVm, n.ClientPages);
                for (int i = 0; i < n.Pages.Length; i++)
                {
                    _pages.ShareInto(n.ClientVm, n.ClientPages[i], n.Pages[i]);
                    CollapseIfWritable(context, n.Pages[i]);
                }

                long id = Shootdown(context, n.ClientVm, n.RequestId.Vcpu.Value, before);
                var done = new VirtualDiskDone(n.ClientVm, n.RequestId, n.ClientPages, n.Pages);
                if (id >= 0)
                {
                    var (to, delayPs) = CompletionRoute(n.ClientNode, done);
                    _shootdowns.Defer(id, to, delayPs, SentPs(context, n.ClientVm), done);
                }
                else
                {
                    Complete(context, n.ClientNode, done);
                }

                break;
            }

            case CopyOnWriteRequest c:
            {
                if (!_pages.TryMapping(c.Vm, c.GuestPage, out long shared, out bool writable))
                {
                    throw new InvalidOperationException($"{this}: copy-on-write of VM {c.Vm} guest page {c.GuestPage}, which it does not map");
                }

                if (!writable && _replicas.Has(shared) && Collapse(c, shared, context))
                {
                    break;
                }

                if (writable)
                {
                    // Another VCPU of the VM copied it first: this one wrote through an entry that copy's shootdown
                    // drops (or has dropped); it gets the copy once that shootdown is over.
                    ReplyAfterShootdown(context, c.Vm, c.GuestPage, c.Node, new MachinePageGrant(c.Vm, c.GuestPage, new MachinePage(shared), Writable: true));
                    break;
                }

                var before = Before(c.Vm, [c.GuestPage]);
                long page = _pages.CopyOnWrite(c.Vm, c.GuestPage, c.Node.Value);
                long id = Shootdown(context, c.Vm, c.Vcpu, before);
                var grant = new MachinePageGrant(c.Vm, c.GuestPage, new MachinePage(page), Writable: true);
                if (id >= 0)
                {
                    _shootdowns.Defer(id, _layout.Processor(c.Node.Value), _replyLatencyPs + _pageCopyPs, SentPs(context, c.Vm), grant);
                }
                else
                {
                    Reply(context, c.Node, grant, _pageCopyPs);
                }

                break;
            }

            case PageRelease r:
                OnRelease(r, context);
                break;
            case HotPageInterrupt hot:
                OnHotPage(hot, context);
                break;
            case Numa.PageCopyDone done:
                OnCopyDone(done, context);
                break;
            case TlbShootdownAck a:
            {
                if (_shootdowns.Ack(a.Id, a.Vcpu, context.Now.Ps, out long[] old, out var replies))
                {
                    _replicas.ShootdownOver(a.Id, context.Now.Ps);
                    foreach (long page in old)
                    {
                        _pages.Unpin(page);
                    }

                    foreach (var (to, delayPs, reply) in replies)
                    {
                        context.Send(to, new SimTime(delayPs), Current(reply));
                    }
                }

                break;
            }

            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }

        if (_checkInvariants && (_pages.Disagreement() ?? ReplicaDisagreement()) is { } problem)
        {
            throw new InvalidOperationException($"{this}: {problem}");
        }
    }

    /// <summary>
    /// An SMP VM's mappings of <paramref name="guestPages"/> before the page manager changes them, each machine page
    /// pinned until it is known whether a shootdown must wait for it. Empty for a uniprocessor VM: its one VCPU
    /// asked for the change and drops its own entries (<see cref="Vcpus.Vcpu.Grant"/>, <see cref="Vcpus.VirtualIo.StartIo"/>).
    /// </summary>
    private List<(long GuestPage, long MachinePage, bool Writable)> Before(int vm, long[] guestPages)
    {
        var before = new List<(long, long, bool)>();
        if (_vcpusPerVm <= 1)
        {
            return before;
        }

        foreach (long g in guestPages)
        {
            if (_pages.TryMapping(vm, g, out long page, out bool writable))
            {
                _pages.Pin(page);
                before.Add((g, page, writable));
            }
        }

        return before;
    }

    /// <summary>
    /// The TLB shootdown of an SMP VM's changed mappings. The page manager drives it because it is the one that
    /// changes the mapping, knows (memmap, pmap) what was mapped before and answers every request that could hand
    /// out the new one, so it can hold those answers until every acknowledgement is in. Every VCPU of the VM but
    /// the initiator gets one inter-processor message (a processor's cached entries are the only record of what
    /// it may hold), sent through the VM's manager (which knows its VCPUs) and the VCPU's component (which knows
    /// where it is: parked there, or out on a processor, to which it forwards). That is the very path of a
    /// transfer's completion, so a shootdown never overtakes a completion the page manager sent before it (each
    /// link is FIFO), nor a pmap grant (sent straight to the processor, one hop of the same latency against three).
    /// Returns the shootdown's id, or -1 when nothing changed.
    /// </summary>
    private long Shootdown(IContext context, int vm, int initiator, List<(long GuestPage, long MachinePage, bool Writable)> before)
    {
        var guestPages = new List<long>();
        var old = new List<long>();
        foreach (var (g, page, writable) in before)
        {
            bool same = _pages.TryMapping(vm, g, out long now, out bool nowWritable) && now == page && (nowWritable || !writable);
            if (same)
            {
                _pages.Unpin(page);
            }
            else
            {
                guestPages.Add(g);
                old.Add(page);
            }
        }

        if (guestPages.Count == 0)
        {
            return -1;
        }

        return StartShootdown(context, vm, initiator, [.. guestPages], [.. old]);
    }

    /// <summary>
    /// Sends shootdown messages for (vm, <paramref name="guestPages"/>), which mapped <paramref name="oldPages"/>, to
    /// every VCPU of the VM but <paramref name="initiator"/> (-1: to all of them). Returns the shootdown's id.
    /// </summary>
    private long StartShootdown(IContext context, int vm, int initiator, long[] guestPages, long[] oldPages)
    {
        var ids = _ids!;
        var targets = Enumerable.Range(0, _vcpusPerVm).Select(k => ids.VcpuOf(vm, k)).Where(t => t != initiator).ToList();
        long id = _shootdowns.Start(vm, initiator, targets, guestPages, oldPages, context.Now.Ps);
        foreach (int t in targets)
        {
            context.Send(ids.VmManager(vm), new SimTime(_replyLatencyPs), new TlbShootdown(vm, id, t, [.. guestPages], [.. oldPages]));
        }

        return id;
    }

    /// <summary>
    /// An answer carries the mappings as they are when it leaves, not as they were when it was decided: in an SMP
    /// VM another VCPU may have copied or rewritten a page meanwhile (a disk write lasts milliseconds, a held
    /// answer waits for a shootdown). A change after it leaves sends a shootdown down the same links, behind it.
    /// </summary>
    private ISimMessage Current(ISimMessage answer)
    {
        switch (answer)
        {
            case VirtualDiskDone d when _vcpusPerVm > 1:
            {
                var pages = new long[d.GuestPages.Length];
                for (int i = 0; i < pages.Length; i++)
                {
                    pages[i] = _pages.TryMapping(d.Vm, d.GuestPages[i], out long now, out _) ? now : d.Pages[i];
                }

                return pages.AsSpan().SequenceEqual(d.Pages) ? d : d with { Pages = pages };
            }

            case MachinePageGrant g when _pages.TryMapping(g.Vm, g.GuestPage, out long page, out bool writable):
                return (g.Page.Value == page || IsReplicaOf(g.Page.Value, page)) && g.Writable == writable ? g : g with { Page = new MachinePage(page), Writable = writable };
            default:
                return answer;
        }
    }

    private VirtualDiskDone Current(VirtualDiskDone done) => (VirtualDiskDone)Current((ISimMessage)done);

    /// <summary>When the initiator has posted its shootdown messages (<c>shootdown-send</c> each): its reply leaves no earlier.</summary>
    private long SentPs(IContext context, int vm) => context.Now.Ps + ((_vcpusPerVm - 1) * _shootdownSendPs);

    /// <summary>A reply to a processor, held while a shootdown of the page it maps is under way.</summary>
    private void ReplyAfterShootdown(IContext context, int vm, long guestPage, NodeId node, ISimMessage reply) =>
        ReplyAfter(context, _shootdowns.TryFind(vm, guestPage, out long id) ? id : -1, node, reply, context.Now.Ps);

    private void ReplyAfter(IContext context, long shootdown, int vm, NodeId node, ISimMessage reply) =>
        ReplyAfter(context, shootdown, node, reply, SentPs(context, vm));

    private void ReplyAfter(IContext context, long shootdown, NodeId node, ISimMessage reply, long notBeforePs)
    {
        if (shootdown < 0)
        {
            Reply(context, node, reply, 0);
            return;
        }

        _shootdowns.Defer(shootdown, _layout.Processor(node.Value), _replyLatencyPs, notBeforePs, reply);
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
        io.Counter("monitor.released_pages", ref _releasedPages);
        io.Part(_pages);
        io.Part(_shootdowns);
        io.Part(_migrations);
        io.Part(_replicas);
        if (_numa is not null)
        {
            io.Part(_numa);
        }
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
            sink.Add("footprint.machine.peak." + Guest.GuestKernel.FootprintKinds[k], _pages.PeakPagesOfKind(k));
        }

        sink.Add("footprint.machine.replica", _pages.PagesOfKind(PageManager.ReplicaKind));

        // The monitor's own structures are not pages it hands out: outside memory_pages.machine, inside the footprint.
        sink.Add("footprint.machine.monitor", _monitorPages);
        sink.Add("footprint.machine.peak.monitor", _monitorPages);
        foreach (int vm in _pages.Vms)
        {
            sink.Add($"vm.{vm}.memory_pages.machine", _pages.Pmap(vm).Count);
            sink.Add($"vm.{vm}.disk_requests.shared", _pages.SharedReadsOf(vm));
            sink.Add($"vm.{vm}.copy_on_write", _pages.CopiesOf(vm));
        }
    }
}
