using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tlb;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Network;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The Disco monitor on one processor: the VCPU scheduler for the VCPUs with affinity to it, the trap handlers
/// and the emulation of the guest's privileged instructions [D 4.2]. Every trap enters here first, in kernel mode:
/// a hardware TLB miss tries the VCPU's second-level TLB, then (for the relocated kernel segment) the guest's fixed
/// kernel map, and only then is reflected to the guest's refill handler; a system call is reflected to the guest;
/// each privileged instruction of the guest kernel (supervisor mode) is emulated, a TLB write through the pmap. I/O
/// and page zeroing are monitor calls. Time spent here is monitor time.
/// </summary>
public sealed class MonitorSupervisor : ISupervisor
{
    private const long GuestRequestMask = (1L << 40) - 1;
    private const int LineBytes = 128;

    private readonly MonitorParams _m;
    private readonly MachineLayout _layout;
    private readonly ComponentId _pageManager;
    private readonly List<Vcpu> _vcpus = [];
    private readonly Dictionary<int, ComponentId> _memlocks = [];

    // State (checkpointed, in this order, then the VCPUs).
    private bool _booted;
    private VcpuScheduler _scheduler;
    private readonly List<ExecutionStream> _monitorPaths = [];
    private bool _awaiting;
    private bool _hasRetry;
    private Operation _retry;
    private int _retryVcpu;
    private long _hotPages;
    private readonly long[] _seenPs = new long[5];
    private readonly SortedDictionary<long, NfsRequest> _nfsPending = [];
    private long _nfsSent;
    private long _nfsServed;

    public MonitorSupervisor(MonitorParams monitor, MachineLayout layout, ComponentId pageManager)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(layout);
        _m = monitor;
        _layout = layout;
        _pageManager = pageManager;
        _scheduler = new VcpuScheduler(0, monitor.VcpuTimeSlicePs);
    }

    public IReadOnlyList<Vcpu> Vcpus => _vcpus;

    public Vcpu? CurrentVcpu => _scheduler.Current >= 0 ? _vcpus[_scheduler.Current] : null;

    /// <summary>Adds a VCPU of an SMP VM whose memlock is <paramref name="memlock"/>.</summary>
    public void Add(Vcpu vcpu, ComponentId memlock)
    {
        Add(vcpu);
        _memlocks[vcpu.Vm] = memlock;
    }

    public void Add(Vcpu vcpu)
    {
        ArgumentNullException.ThrowIfNull(vcpu);
        if (!vcpu.Kernel.Relocated || !vcpu.Kernel.MonitorZeroes)
        {
            throw new ArgumentException("a guest under the monitor runs relocated out of KSEG0 and asks the monitor for zeroed pages", nameof(vcpu));
        }

        _vcpus.Add(vcpu);
        _scheduler = new VcpuScheduler(_vcpus.Count, _m.VcpuTimeSlicePs);
    }

    /// <summary>The VCPU whose translations the hardware TLB holds (the last that ran).</summary>
    public Vcpu? TlbOwner => _scheduler.TlbOwner >= 0 ? _vcpus[_scheduler.TlbOwner] : null;

    public ExecutionStream? Current => _monitorPaths.Count > 0 ? _monitorPaths[^1] : CurrentVcpu?.Kernel.Current;

    public bool Halted => _monitorPaths.Count == 0 && _vcpus.TrueForAll(v => v.Kernel.Finished && !v.Kernel.InKernel);

    public TrapOutcome OnQuantum(ISupervisorContext context) => Finish(QuantumCore(context), context);

    public TrapOutcome OnTlbMiss(long virtualAddress, bool store, bool readOnly, ISupervisorContext context) => Finish(TlbMissCore(virtualAddress, readOnly, context), context);

    public TrapOutcome OnPrivileged(in Operation operation, ISupervisorContext context) => Finish(PrivilegedCore(operation, context), context);

    public TrapOutcome OnStreamEnd(ISupervisorContext context) => Finish(StreamEndCore(context), context);

    public TrapOutcome OnMessage(ISimMessage message, ISupervisorContext context) => Finish(MessageCore(message, context), context);

    /// <summary>
    /// SMP VMs: a guest path that must hold its VM's memlock does not run before the grant; the VCPU spins for it,
    /// in the guest's kernel mode, and keeps the processor meanwhile.
    /// </summary>
    private TrapOutcome Finish(TrapOutcome outcome, ISupervisorContext context)
    {
        var v = CurrentVcpu;
        if (_monitorPaths.Count == 0 && v is { LockPending: false } && v.Kernel.RequestLock() is { } path)
        {
            v.LockPending = true;
            v.LockRequestedPs = context.LocalPs + outcome.CostPs;
            context.Send(_memlocks[v.Vm], new LockAcquire(context.Node, v.Vm, path.LockId), outcome.CostPs);
        }

        var waiting = _vcpus.Find(x => x.LockPending);
        return waiting is not null
            ? outcome with { Action = TrapAction.Wait, WaitMode = ExecutionMode.Kernel, WaitIdle = waiting.Kernel.WaitsOnSemaphore }
            : outcome;
    }

    private TrapOutcome QuantumCore(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (!_booted)
        {
            _booted = true;
            foreach (var v in _vcpus)
            {
                v.Kernel.Boot(context.LocalPs);
            }
        }

        CurrentVcpu?.Kernel.OnQuantum(context.LocalPs);
        return Monitor(Schedule(context, timeSlice: true));
    }

    private TrapOutcome TlbMissCore(long virtualAddress, bool readOnly, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        var v = GuestTrap();
        long cost = _m.TrapPs;
        int asid = v.Kernel.Current!.Asid;
        long vpn = virtualAddress >> MachineConstants.PageShift;
        if (readOnly)
        {
            // A store to a page the guest may write but the monitor maps read-only (shared): copy on write.
            var e = v.Kernel.TlbEntryFor(asid, vpn);
            bool odd = (vpn & 1) != 0;
            long guestPage = odd ? e.OddPage : e.EvenPage;
            if ((odd ? e.OddWritable : e.EvenWritable) && v.TryMachinePage(guestPage, out _, out bool writableHere) && !writableHere)
            {
                v.Count(VcpuCounter.CopyOnWriteFaults);
                _awaiting = true;
                context.Send(_pageManager, new CopyOnWriteRequest(v.Vm, guestPage, context.Node), cost);
                return new TrapOutcome(cost, ExecutionMode.Monitor, TrapAction.Wait);
            }

            v.Count(VcpuCounter.ReflectedTraps);
            v.Kernel.OnTlbMiss(virtualAddress, readOnly: true, context.LocalPs);
            return Monitor(cost + _m.ReflectPs);
        }

        cost += _m.L2TlbLookupPs;
        if (v.L2Tlb.TryLookup(asid, vpn, out long page, out bool writable))
        {
            v.Count(VcpuCounter.L2TlbHits);
            long even = vpn & ~1L;
            long evenPage = -1, oddPage = -1;
            bool evenWritable = false, oddWritable = false;
            if ((vpn & 1) == 0)
            {
                (evenPage, evenWritable) = (page, writable);
                v.L2Tlb.TryLookup(asid, even + 1, out oddPage, out oddWritable);
            }
            else
            {
                (oddPage, oddWritable) = (page, writable);
                v.L2Tlb.TryLookup(asid, even, out evenPage, out evenWritable);
            }

            WriteTlb(v, new TlbEntry(vpn >> 1, asid, evenPage, evenWritable, oddPage, oddWritable), context);
            return Monitor(cost);
        }

        v.Count(VcpuCounter.L2TlbMisses);
        if (asid == GuestLayout.KernelAsid && GuestLayout.IsMappedKernel(virtualAddress))
        {
            // The relocated kernel segment is a fixed map of guest-physical memory: the monitor fills it itself.
            v.Count(VcpuCounter.KernelSegmentFills);
            return WriteGuestEntry(v, asid, vpn, context, cost)
                ? Monitor(cost)
                : new TrapOutcome(cost, ExecutionMode.Monitor, TrapAction.Wait);
        }

        if (v.Kernel.LibraryOs && asid != GuestLayout.KernelAsid)
        {
            return LibraryOsMiss(v, asid, vpn, context, cost);
        }

        v.Count(VcpuCounter.ReflectedTraps);
        v.Kernel.OnTlbMiss(virtualAddress, readOnly: false, context.LocalPs);
        return Monitor(cost + _m.ReflectPs);
    }

    /// <summary>
    /// A library OS has no virtual memory of its own: the monitor handles its TLB misses and page faults. A page
    /// the thread has not touched yet is taken from the guest's free memory, backed through the pmap and zeroed by
    /// the monitor; then (and on every later miss) the entry is written without reflecting anything to the guest.
    /// </summary>
    private TrapOutcome LibraryOsMiss(Vcpu v, int asid, long vpn, ISupervisorContext context, long cost)
    {
        var e = v.Kernel.TlbEntryFor(asid, vpn);
        long guestPage = (vpn & 1) == 0 ? e.EvenPage : e.OddPage;
        if (guestPage < 0)
        {
            guestPage = v.Kernel.LibraryFault(asid, vpn);
            v.Count(VcpuCounter.LibraryOsFaults);
        }

        if (!WriteGuestEntry(v, asid, vpn, context, cost))
        {
            return new TrapOutcome(cost, ExecutionMode.Monitor, TrapAction.Wait);
        }

        if (v.Kernel.TakeUnzeroed(guestPage) && v.TryMachinePage(guestPage, out long machinePage))
        {
            v.Count(VcpuCounter.ZeroedPages);
            _monitorPaths.Add(ZeroPath(machinePage));
        }

        return Monitor(cost);
    }

    private TrapOutcome PrivilegedCore(in Operation operation, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (CurrentVcpu is { } unlocking && unlocking.Kernel.InKernel && GuestPrivilegedOps.Decode(operation).Code == GuestPrivileged.Unlock)
        {
            // A store to the lock word: no trap.
            if (unlocking.Kernel.ReleaseLock() is { } held)
            {
                context.Send(_memlocks[unlocking.Vm], new LockRelease(context.Node, unlocking.Vm, held.LockId));
            }

            return Monitor(0);
        }

        var v = GuestTrap();
        if (!v.Kernel.InKernel)
        {
            v.Count(VcpuCounter.ReflectedTraps);
            v.Kernel.OnSyscall(operation, context.LocalPs);
            return Monitor(_m.TrapPs + _m.ReflectPs);
        }

        v.Count(VcpuCounter.EmulatedPrivileged);
        return Emulate(_scheduler.Current, operation, context, _m.TrapPs + _m.EmulatePrivilegedPs);
    }

    private TrapOutcome StreamEndCore(ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        if (_monitorPaths.Count > 0)
        {
            _monitorPaths.RemoveAt(_monitorPaths.Count - 1);
            return Monitor(0);
        }

        var v = CurrentVcpu ?? throw new InvalidOperationException("monitor: stream end with no VCPU running");
        long cost = 0;
        if (v.Kernel.InKernel)
        {
            int held = v.Kernel.OnPathEnd(context.LocalPs);
            if (held >= 0)
            {
                context.Send(_memlocks[v.Vm], new LockRelease(context.Node, v.Vm, held));
            }
        }
        else
        {
            // exit() is a system call: it traps and is reflected like any other.
            v.Count(VcpuCounter.Traps);
            v.Count(VcpuCounter.ReflectedTraps);
            cost = _m.TrapPs + _m.ReflectPs;
            v.Kernel.OnProcessEnd(context.LocalPs);
        }

        return Monitor(cost + Schedule(context, timeSlice: false));
    }

    private TrapOutcome MessageCore(ISimMessage message, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Account(context);
        TrapOutcome outcome;
        switch (message)
        {
            case MachinePageGrant g:
            {
                var v = _vcpus.Find(x => x.Vm == g.Vm) ?? throw new InvalidOperationException($"monitor: pmap grant for VM {g.Vm}, which has no VCPU here");
                if (v.Grant(g.GuestPage, g.Page.Value, g.Writable))
                {
                    Shootdown(v, context);
                }

                _awaiting = false;
                if (_hasRetry)
                {
                    _hasRetry = false;
                    return Emulate(_retryVcpu, _retry, context, 0);
                }

                return Monitor(0);
            }

            case VirtualDiskDone d:
            {
                var v = _vcpus[(int)(d.RequestId >> 40)];
                bool remapped = false;
                for (int i = 0; i < d.GuestPages.Length; i++)
                {
                    remapped |= v.Grant(d.GuestPages[i], d.Pages[i], writable: false);
                }

                if (remapped)
                {
                    Shootdown(v, context);
                }

                v.Count(VcpuCounter.Interrupts);
                v.Kernel.OnDiskComplete(d.RequestId & GuestRequestMask, context.LocalPs);
                outcome = Monitor(_m.InterruptPs + _m.ReflectPs + (_awaiting ? 0 : Schedule(context, timeSlice: false)));
                break;
            }

            case LockGrant grant:
            {
                var v = _vcpus.Find(x => x.Vm == grant.Vm && x.LockPending) ?? throw new InvalidOperationException($"monitor: a memlock grant for VM {grant.Vm}, whose VCPU here does not wait");
                v.LockPending = false;
                var path = v.Kernel.GrantLock();
                bool memlock = path.LockId == KernelLocks.Memlock;
                v.Count(memlock ? VcpuCounter.MemlockAcquisitions : VcpuCounter.RegionSemAcquisitions);
                v.Count(memlock ? VcpuCounter.MemlockWaitPs : VcpuCounter.RegionSemWaitPs, context.LocalPs - v.LockRequestedPs);
                outcome = Monitor(0);
                break;
            }

            case NfsRequest n:
            {
                var server = _vcpus.Find(x => x.Vm == NfsServerVm) ?? throw new InvalidOperationException("monitor: an NFS request reached a processor without the server VM");
                server.Count(VcpuCounter.Interrupts);
                long handle = server.Kernel.OnNfsRequest(n.Keys, context.LocalPs);
                _nfsPending[handle] = n;
                outcome = Monitor(_m.InterruptPs + _m.ReflectPs + (_awaiting ? 0 : Schedule(context, timeSlice: false)));
                break;
            }

            case HotPageInterrupt:
                // Page migration and replication act on these (the NUMA experiments); this monitor takes and drops them.
                _hotPages++;
                outcome = Monitor(0);
                break;
            default:
                throw new InvalidOperationException($"monitor: unexpected {message.GetType().Name}");
        }

        return _awaiting ? outcome with { Action = TrapAction.Wait } : outcome;
    }

    /// <summary>Emulates one privileged instruction of VCPU <paramref name="vcpu"/>'s guest kernel.</summary>
    private TrapOutcome Emulate(int vcpu, Operation operation, ISupervisorContext context, long cost)
    {
        var v = _vcpus[vcpu];
        var (code, argument) = GuestPrivilegedOps.Decode(operation);
        switch (code)
        {
            case GuestPrivileged.TlbWrite:
            {
                // Charged once, when the write is done (a pmap fill in between retries the emulation).
                var (asid, vpn) = GuestPrivilegedOps.TlbTarget(argument);
                if (!WriteGuestEntry(v, asid, vpn, context, cost + _m.EmulateTlbWritePs))
                {
                    return Retry(vcpu, operation, cost);
                }

                cost += _m.EmulateTlbWritePs;
                v.Count(VcpuCounter.EmulatedTlbWrites);
                break;
            }

            case GuestPrivileged.TlbFlushAsid:
                context.Tlb.FlushAsid((int)argument);
                v.L2Tlb.FlushAsid((int)argument);
                break;
            case GuestPrivileged.StartIo:
            {
                // A monitor call: the page manager maps cached blocks and reads the rest (the DMA targets are remapped,
                // so this VCPU forgets them now and their translations go).
                var io = v.Kernel.Io(argument);
                bool dropped = false;
                foreach (long g in io.GuestPages)
                {
                    dropped |= v.Drop(g);
                }

                if (dropped)
                {
                    Shootdown(v, context);
                }

                cost += _m.MonitorCallPs + (_m.DmaPerPagePs * io.GuestPages.Length);
                v.Count(VcpuCounter.MonitorCalls);
                if (io.Write)
                {
                    // The root disk is shared by every VM and non-persistent unless monitor.persistent-root-disk;
                    // a VM's data disk is its own, persistent.
                    var (writeDisk, writeCacheDisk) = PhysicalDisk(v.Vm, io.Disk);
                    bool persistent = writeDisk != 0 || _m.PersistentRootDisk;
                    context.Send(_pageManager, new VirtualDiskIo(v.Vm, ((long)vcpu << 40) | io.Id, io.GuestPages, writeDisk, writeCacheDisk, io.Sector, context.Node, IsWrite: true, Persistent: persistent), cost);
                    break;
                }

                if (_m.Nfs && v.Vm != NfsServerVm && io.Disk != Workloads.GuestFiles.RootDisk)
                {
                    // An NFS client's data file: the request goes to the server VM over the virtual network.
                    _nfsSent++;
                    context.Send(_layout.Processor(NfsServerVm % _layout.Nodes), new NfsRequest(v.Vm, ((long)vcpu << 40) | io.Id, io.Keys, io.GuestPages, context.Node), cost);
                    break;
                }

                var (disk, cacheDisk) = PhysicalDisk(v.Vm, io.Disk);
                context.Send(_pageManager, new VirtualDiskIo(v.Vm, ((long)vcpu << 40) | io.Id, io.GuestPages, disk, cacheDisk, io.Sector, context.Node), cost);
                break;
            }

            case GuestPrivileged.ZeroPage:
            {
                if (!Resolve(v, argument, out long page, context, cost))
                {
                    return Retry(vcpu, operation, cost);
                }

                cost += _m.MonitorCallPs;
                v.Count(VcpuCounter.MonitorCalls);
                v.Count(VcpuCounter.ZeroedPages);
                _monitorPaths.Add(ZeroPath(page));
                break;
            }

            case GuestPrivileged.NetSend:
            {
                // The reply's pages are remapped into the client by the page manager: translate them, copy nothing.
                var request = _nfsPending[argument];
                long[] guestPages = v.Kernel.NfsReplyPages(argument, sent: false);
                var pages = new long[guestPages.Length];
                for (int i = 0; i < pages.Length; i++)
                {
                    if (!Resolve(v, guestPages[i], out pages[i], context, cost))
                    {
                        return Retry(vcpu, operation, cost);
                    }
                }

                v.Kernel.NfsReplyPages(argument, sent: true);
                _nfsPending.Remove(argument);
                _nfsServed++;
                cost += _m.MonitorCallPs;
                v.Count(VcpuCounter.MonitorCalls);
                context.Send(_pageManager, new NfsReply(request.ClientVm, request.RequestId, request.ClientPages, pages, request.ClientNode), cost);
                break;
            }

            default:
                break;
        }

        return Monitor(cost);
    }

    /// <summary>The NFS server of a run with the virtual network: VM 0.</summary>
    public const int NfsServerVm = 0;

    private TrapOutcome Retry(int vcpu, Operation operation, long cost)
    {
        _hasRetry = true;
        _retry = operation;
        _retryVcpu = vcpu;
        return new TrapOutcome(cost, ExecutionMode.Monitor, TrapAction.Wait);
    }

    /// <summary>The monitor zeroes a machine page with stores through its own unmapped segment (it must, for isolation).</summary>
    private static ExecutionStream ZeroPath(long machinePage)
    {
        var ops = new List<Operation>(MachineConstants.PageSizeBytes / LineBytes);
        for (int i = 0; i < MachineConstants.PageSizeBytes / LineBytes; i++)
        {
            ops.Add(Operation.Store(MachineConstants.Kseg0Base + (machinePage << MachineConstants.PageShift) + (i * LineBytes), 8));
        }

        return new ExecutionStream(new KernelPath(KernelService.OtherSyscall, ops), ExecutionMode.Monitor, 0, kernelSegments: true);
    }

    /// <summary>Writes the hardware TLB entry the guest's tables give, translated through the pmap; false when a pmap fill is under way.</summary>
    private bool WriteGuestEntry(Vcpu v, int asid, long vpn, ISupervisorContext context, long costPs)
    {
        var e = v.Kernel.TlbEntryFor(asid, vpn);
        if (!Resolve(v, e.EvenPage, out long even, context, costPs) || !Resolve(v, e.OddPage, out long odd, context, costPs))
        {
            return false;
        }

        // Writable only where both the guest and the monitor allow it: a shared page traps on the first store.
        bool evenWritable = e.EvenWritable && (even < 0 || (v.TryMachinePage(e.EvenPage, out _, out bool ew) && ew));
        bool oddWritable = e.OddWritable && (odd < 0 || (v.TryMachinePage(e.OddPage, out _, out bool ow) && ow));
        long evenVpn = e.VirtualPair << 1;
        v.L2Tlb.Insert(asid, evenVpn, even, evenWritable);
        v.L2Tlb.Insert(asid, evenVpn + 1, odd, oddWritable);
        WriteTlb(v, new TlbEntry(e.VirtualPair, asid, even, evenWritable, odd, oddWritable), context);
        return true;
    }

    private void WriteTlb(Vcpu v, in TlbEntry entry, ISupervisorContext context)
    {
        context.WriteTlb(entry);
        if (_m.CheckInvariants)
        {
            CheckIsolation(v, context.Tlb);
        }
    }

    /// <summary>
    /// The machine page behind a guest page; false (and a request to the page manager) when this processor has none
    /// yet. The request leaves when the handler has spent <paramref name="costPs"/>, so the fill adds to that time.
    /// </summary>
    private bool Resolve(Vcpu v, long guestPage, out long machinePage, ISupervisorContext context, long costPs)
    {
        if (guestPage < 0)
        {
            machinePage = -1;
            return true;
        }

        if (v.TryMachinePage(guestPage, out machinePage))
        {
            return true;
        }

        v.Count(VcpuCounter.PmapWaits);
        _awaiting = true;
        var loaded = v.Kernel.LoadedFrom(guestPage);
        var request = loaded is { } block
            ? new MachinePageRequest(v.Vm, guestPage, context.Node, PhysicalDisk(v.Vm, block.Disk).CacheDisk, block.Sector, (int)v.Kernel.KindOf(guestPage))
            : new MachinePageRequest(v.Vm, guestPage, context.Node, PageKind: (int)v.Kernel.KindOf(guestPage));
        context.Send(_pageManager, request, costPs);
        return false;
    }

    /// <summary>
    /// Where a VM's disk is: its root disk is the machine's disk 0, shared copy-on-write by every VM (the cache names
    /// its blocks by that disk); its data disk is one of the others, private (the cache names its blocks per VM).
    /// </summary>
    private (int Disk, int CacheDisk) PhysicalDisk(int vm, int guestDisk)
    {
        if (guestDisk == Workloads.GuestFiles.RootDisk || _layout.Disks < 2)
        {
            return (0, 0);
        }

        return (1 + (vm % (_layout.Disks - 1)), _layout.Disks + vm);
    }

    /// <summary>A guest page now maps another machine page: every translation of the VCPU may hold the old one.</summary>
    private void Shootdown(Vcpu v, ISupervisorContext context)
    {
        v.L2Tlb.FlushAll();
        if (_scheduler.TlbOwner >= 0 && _vcpus[_scheduler.TlbOwner] == v)
        {
            context.Tlb.FlushAll();
        }
    }

    /// <summary>
    /// The isolation invariant: every valid hardware TLB entry maps only machine pages the running VCPU's VM was
    /// given. Entries of another VM would survive here only if a VCPU switch forgot its flush.
    /// </summary>
    public static void CheckIsolation(Vcpu running, SoftwareTlb tlb)
    {
        ArgumentNullException.ThrowIfNull(running);
        ArgumentNullException.ThrowIfNull(tlb);
        foreach (var e in tlb.Contents())
        {
            foreach (long page in new[] { e.EvenPage, e.OddPage })
            {
                if (page >= 0 && !running.Owns(page))
                {
                    throw new InvalidOperationException($"isolation: the TLB maps machine page {page} (ASID {e.Asid}, pair {e.VirtualPair}) while VM {running.Vm} runs, which was never given it");
                }
            }
        }
    }

    /// <summary>Runs the VCPU scheduler; a switch to another VM's VCPU flushes the hardware TLB and costs a VCPU switch.</summary>
    private long Schedule(ISupervisorContext context, bool timeSlice)
    {
        if (_monitorPaths.Count > 0 || _awaiting || _vcpus.Exists(x => x.LockPending))
        {
            return 0;
        }

        var decision = _scheduler.Schedule(context.LocalPs, k => _vcpus[k].Runnable, timeSlice);
        if (!decision.FlushTlb)
        {
            return 0;
        }

        context.Tlb.FlushAll();
        if (_m.CheckInvariants && context.Tlb.ValidEntries != 0)
        {
            throw new InvalidOperationException("isolation: TLB entries survived a VCPU switch");
        }

        return _m.VcpuSwitchPs;
    }

    private Vcpu GuestTrap()
    {
        if (_monitorPaths.Count > 0)
        {
            throw new InvalidOperationException("monitor: its own code trapped");
        }

        var v = CurrentVcpu ?? throw new InvalidOperationException("monitor: trap with no VCPU running");
        v.Count(VcpuCounter.Traps);
        return v;
    }

    private static TrapOutcome Monitor(long cost) => new(cost, ExecutionMode.Monitor);

    /// <summary>
    /// Charges the processor's time since the last trap to the VCPU that was running (per-VM time breakdown). Traps
    /// come at least every quantum, so at most the last quantum of a run goes uncharged.
    /// </summary>
    private void Account(ISupervisorContext context)
    {
        var time = context.TimePs;
        var running = CurrentVcpu;
        for (int b = 0; b < _seenPs.Length; b++)
        {
            if (running is not null)
            {
                running.TimePs[b] += time[b] - _seenPs[b];
            }

            _seenPs[b] = time[b];
        }
    }

    public void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        foreach (var v in _vcpus)
        {
            v.ReportStats(sink);
        }

        sink.Add("monitor.vcpu_switches", _scheduler.Switches);
        sink.Add("monitor.idle_deschedules", _scheduler.IdleDeschedules);
        sink.Add("monitor.hot_page_interrupts", _hotPages);
        sink.Add("network.nfs_requests", _nfsSent);
        sink.Add("network.nfs_replies", _nfsServed);
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write(_booted);
        _scheduler.Save(ref writer);
        writer.Write(_seenPs);
        writer.Write(_nfsSent);
        writer.Write(_nfsServed);
        writer.WriteCount(_nfsPending.Count);
        foreach (var (handle, request) in _nfsPending)
        {
            writer.Write(handle);
            writer.Write(request);
        }
        writer.Write(_awaiting);
        writer.Write(_hasRetry);
        _retry.Write(ref writer);
        writer.Write(_retryVcpu);
        writer.Write(_hotPages);
        writer.WriteCount(_monitorPaths.Count);
        foreach (var s in _monitorPaths)
        {
            s.Save(ref writer);
        }

        foreach (var v in _vcpus)
        {
            v.Save(ref writer);
        }
    }

    public void Load(ref StateReader reader)
    {
        _booted = reader.ReadBool("booted");
        _scheduler.Load(ref reader);
        reader.ReadLongsInto("time seen", _seenPs);
        _nfsSent = reader.ReadLong("nfs sent", 0, long.MaxValue);
        _nfsServed = reader.ReadLong("nfs served", 0, long.MaxValue);
        _nfsPending.Clear();
        int pending = reader.ReadCount("nfs pending", 1 << 16);
        for (int i = 0; i < pending; i++)
        {
            long handle = reader.ReadLong("nfs handle", 0, long.MaxValue);
            _nfsPending[handle] = (NfsRequest)reader.ReadMessage("nfs request");
        }
        _awaiting = reader.ReadBool("awaiting pmap fill");
        _hasRetry = reader.ReadBool("has retry");
        _retry = Operation.Read(ref reader);
        _retryVcpu = reader.ReadInt("retry vcpu", 0, Math.Max(0, _vcpus.Count - 1));
        _hotPages = reader.ReadLong("hot pages", 0, long.MaxValue);
        _monitorPaths.Clear();
        int n = reader.ReadCount("monitor paths", 64);
        for (int i = 0; i < n; i++)
        {
            var s = new ExecutionStream(new KernelPath(), ExecutionMode.Monitor, 0, kernelSegments: true);
            s.Load(ref reader);
            _monitorPaths.Add(s);
        }

        foreach (var v in _vcpus)
        {
            v.Load(ref reader);
        }
    }
}
