using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The monitor's virtual I/O devices [D 4.2.3]: a guest's disk transfer is a monitor call that goes to the page
/// manager (which maps cached blocks and reads the rest); with the virtual network, an NFS client's read of its data
/// file goes to the server VM's processor instead, and the server's reply pages are remapped into the client, not
/// copied. Completions come back as interrupts to the guest that asked.
/// </summary>
public sealed class VirtualIo : IStateful
{
    /// <summary>The NFS server of a run with the virtual network: VM 0.</summary>
    public const int NfsServerVm = 0;

    private readonly MonitorSupervisor _monitor;
    private readonly MonitorParams _m;
    private readonly MachineLayout _layout;
    private readonly ComponentId _pageManager;

    // State (checkpointed, in this order).
    private readonly SortedDictionary<long, NfsRequest> _nfsPending = [];
    private long _nfsSent;
    private long _nfsServed;

    public VirtualIo(MonitorSupervisor monitor, MonitorParams parameters, MachineLayout layout, ComponentId pageManager)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        _monitor = monitor;
        _m = parameters;
        _layout = layout;
        _pageManager = pageManager;
    }

    /// <summary>
    /// Starts guest I/O request <paramref name="argument"/> of VCPU <paramref name="vcpu"/> (a monitor call): the DMA
    /// targets are remapped, so the VCPU forgets them now and their translations go. Returns the handler's cost.
    /// </summary>
    public long StartIo(VcpuId vcpu, long argument, ISupervisorContext context, long costPs)
    {
        ArgumentNullException.ThrowIfNull(context);
        var v = _monitor[vcpu];
        var io = v.Kernel.Io(argument);
        bool dropped = false;
        foreach (long g in io.GuestPages)
        {
            dropped |= v.Drop(g);
        }

        if (dropped)
        {
            _monitor.Shootdown(v, context);
        }

        long cost = costPs + _m.MonitorCallPs + (_m.DmaPerPagePs * io.GuestPages.Length);
        v.Count(VcpuCounter.MonitorCalls);
        var request = new VcpuRequest(vcpu, io.Id);
        if (io.Write)
        {
            // The root disk is shared by every VM and non-persistent unless monitor.persistent-root-disk;
            // a VM's data disk is its own, persistent.
            var (writeDisk, writeCacheDisk) = PhysicalDisk(v.Vm, io.Disk);
            bool persistent = writeDisk != 0 || _m.PersistentRootDisk;
            context.Send(_pageManager, new VirtualDiskIo(v.Vm, request, io.GuestPages, writeDisk, writeCacheDisk, io.Sector, context.Node, IsWrite: true, Persistent: persistent), cost);
            return cost;
        }

        if (_m.Nfs && v.Vm != NfsServerVm && io.Disk != GuestFiles.RootDisk)
        {
            // An NFS client's data file: the request goes to the server VM over the virtual network.
            _nfsSent++;
            context.Send(_layout.Processor(NfsServerVm % _layout.Nodes), new NfsRequest(v.Vm, request, io.Blocks, io.GuestPages, context.Node), cost);
            return cost;
        }

        var (disk, cacheDisk) = PhysicalDisk(v.Vm, io.Disk);
        context.Send(_pageManager, new VirtualDiskIo(v.Vm, request, io.GuestPages, disk, cacheDisk, io.Sector, context.Node), cost);
        return cost;
    }

    /// <summary>A transfer is done: the VCPU that asked maps its pages (read-only) and its guest takes the interrupt.</summary>
    public void OnDiskDone(VirtualDiskDone done, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(context);
        var v = _monitor[done.RequestId.Vcpu];
        bool remapped = false;
        for (int i = 0; i < done.GuestPages.Length; i++)
        {
            remapped |= v.Grant(done.GuestPages[i], done.Pages[i], writable: false);
        }

        if (remapped)
        {
            _monitor.Shootdown(v, context);
        }

        v.Count(VcpuCounter.Interrupts);
        v.Kernel.OnDiskComplete(done.RequestId.Id, context.LocalPs);
    }

    /// <summary>An NFS request reached the server VM's processor: its guest takes it as a network interrupt.</summary>
    public void OnNfsRequest(NfsRequest request, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var server = _monitor.Vcpus.FirstOrDefault(x => x.Vm == NfsServerVm) ?? throw new InvalidOperationException("monitor: an NFS request reached a processor without the server VM");
        server.Count(VcpuCounter.Interrupts);
        long handle = server.Kernel.OnNfsRequest(request.Keys, context.LocalPs);
        _nfsPending[handle] = request;
    }

    /// <summary>
    /// The server's guest sends its reply <paramref name="handle"/>: the page manager remaps the reply's pages into
    /// the client, so they are only translated here, nothing is copied. False when a pmap fill is under way (retry).
    /// </summary>
    public bool SendNfsReply(Vcpu v, long handle, TlbMissHandler translations, ISupervisorContext context, ref long costPs)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(translations);
        ArgumentNullException.ThrowIfNull(context);
        var request = _nfsPending[handle];
        long[] guestPages = v.Kernel.NfsReplyPages(handle, sent: false);
        var pages = new long[guestPages.Length];
        for (int i = 0; i < pages.Length; i++)
        {
            if (!translations.Resolve(v, guestPages[i], out pages[i], context, costPs))
            {
                return false;
            }
        }

        v.Kernel.NfsReplyPages(handle, sent: true);
        _nfsPending.Remove(handle);
        _nfsServed++;
        costPs += _m.MonitorCallPs;
        v.Count(VcpuCounter.MonitorCalls);
        context.Send(_pageManager, new NfsReply(request.ClientVm, request.RequestId, request.ClientPages, pages, request.ClientNode), costPs);
        return true;
    }

    /// <summary>
    /// Where a VM's disk is: its root disk is the machine's disk 0, shared copy-on-write by every VM (the cache names
    /// its blocks by that disk); its data disk is one of the others, private (the cache names its blocks per VM).
    /// </summary>
    public (int Disk, int CacheDisk) PhysicalDisk(int vm, int guestDisk)
    {
        if (guestDisk == GuestFiles.RootDisk || _layout.Disks < 2)
        {
            return (0, 0);
        }

        return (1 + (vm % (_layout.Disks - 1)), _layout.Disks + vm);
    }

    public void DeclareState(ref StateIo io)
    {
        io.Map("nfs pending", _nfsPending, 1 << 16, static (ref StateIo io, ref long handle) => io.Long("nfs handle", ref handle, 0), static (ref StateIo io, ref NfsRequest r) => io.Message("nfs request", ref r));
        io.Counter("network.nfs_requests", ref _nfsSent);
        io.Counter("network.nfs_replies", ref _nfsServed);
    }
}
