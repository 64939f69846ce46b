using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;
using Disco.Actors.Monitor.Vms;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The monitor's virtual I/O devices [D 4.2.3]: a guest's disk transfer is a monitor call that goes to the page
/// manager (which maps cached blocks and reads the rest); with the virtual network, an NFS client's read of its data
/// file goes to the server VM's processor instead, and the server's reply pages are remapped into the client, not
/// copied. Completions come back as virtual interrupts, through the VM manager and the VCPU's component, to the
/// guest that asked. What a request needs on the way back travels in the request or in the VCPU's own state
/// (an NFS server's pending requests), so the VCPU may run anywhere meanwhile.
/// </summary>
public sealed class VirtualIo
{
    /// <summary>The NFS server of a run with the virtual network: VM 0.</summary>
    public const int NfsServerVm = 0;

    private readonly MonitorSupervisor _monitor;
    private readonly MonitorParams _m;
    private readonly MachineLayout _layout;
    private readonly ComponentId _pageManager;
    private readonly MonitorIds _ids;

    public VirtualIo(MonitorSupervisor monitor, MonitorParams parameters, MachineLayout layout, MonitorIds ids)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        _monitor = monitor;
        _m = parameters;
        _layout = layout;
        ArgumentNullException.ThrowIfNull(ids);
        _pageManager = ids.PageManager;
        _ids = ids;
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

        long cost = costPs + _monitor.MonitorCall(v) + _monitor.Run(MonitorHandler.DmaPerPage, io.GuestPages.Length);
        foreach (long g in io.GuestPages)
        {
            _monitor.TouchPmap(v.Vm, g, store: false);
        }

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
            // An NFS client's data file: the request goes to the server VM over the virtual network (its VM
            // manager posts it to the server's VCPU).
            context.Send(_ids.VmManager(NfsServerVm), new NfsRequest(v.Vm, request, io.Blocks, io.GuestPages, context.Node), cost);
            return cost;
        }

        var (disk, cacheDisk) = PhysicalDisk(v.Vm, io.Disk);
        context.Send(_pageManager, new VirtualDiskIo(v.Vm, request, io.GuestPages, disk, cacheDisk, io.Sector, context.Node), cost);
        return cost;
    }

    /// <summary>A transfer is done: the VCPU that asked (<paramref name="v"/>, loaded) maps its pages (read-only) and its guest takes the interrupt.</summary>
    public void OnDiskDone(VirtualDiskDone done, Vcpu v, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(done);
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(context);
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

    /// <summary>An NFS request reached the server VM's VCPU (<paramref name="server"/>, loaded): its guest takes it as a network interrupt.</summary>
    public static void OnNfsRequest(NfsRequest request, Vcpu server, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(context);
        if (server.Vm != NfsServerVm)
        {
            throw new InvalidOperationException($"monitor: an NFS request reached VM {server.Vm}, not the server");
        }

        server.Count(VcpuCounter.Interrupts);
        long handle = server.Kernel.OnNfsRequest(request.Keys, context.LocalPs);
        server.NfsPending[handle] = request;
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
        var request = v.NfsPending[handle];
        long[] guestPages = v.Kernel.NfsReplyPages(handle);
        var pages = new long[guestPages.Length];
        for (int i = 0; i < pages.Length; i++)
        {
            if (!translations.Resolve(v, guestPages[i], out pages[i], context, costPs))
            {
                return false;
            }
        }

        v.Kernel.NfsReplySent(handle, context.LocalPs);
        v.NfsPending.Remove(handle);
        v.CountNfsReply();
        costPs += _monitor.MonitorCall(v);
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
}
