using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tlb;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The monitor's TLB-miss path [D 4.2.2]: a hardware TLB miss tries the VCPU's second-level TLB, then (for the
/// relocated kernel segment) the guest's fixed kernel map, and only then is reflected to the guest's refill handler,
/// whose TLB write the emulator brings back here (<see cref="WriteGuestEntry"/>). Every entry it writes is the
/// guest's translated through the pmap; a guest page this processor has no machine page for yet waits for a pmap
/// fill from the page manager. A store to a page the monitor shares read-only is a copy-on-write fault.
/// </summary>
public sealed class TlbMissHandler
{
    private readonly MonitorSupervisor _monitor;
    private readonly MonitorParams _m;
    private readonly VirtualIo _io;
    private readonly ComponentId _pageManager;

    public TlbMissHandler(MonitorSupervisor monitor, MonitorParams parameters, VirtualIo io, ComponentId pageManager)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(io);
        _monitor = monitor;
        _m = parameters;
        _io = io;
        _pageManager = pageManager;
    }

    /// <summary>The page manager (pmap fills, and the pages the guest frees).</summary>
    internal ComponentId PageManager => _pageManager;

    /// <summary>Handles VCPU <paramref name="v"/>'s miss on <paramref name="virtualAddress"/> (<paramref name="readOnly"/>: a store hit a read-only entry).</summary>
    public TrapOutcome OnMiss(Vcpu v, long virtualAddress, bool readOnly, ISupervisorContext context)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(context);
        long cost = _monitor.Trap(v);
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
                _monitor.AwaitPageManager();
                context.Send(_pageManager, new CopyOnWriteRequest(v.Vm, guestPage, context.Node, v.Index), cost);
                return MonitorSupervisor.WaitInMonitor(cost);
            }

            v.Count(VcpuCounter.ReflectedTraps);
            v.Kernel.OnTlbMiss(virtualAddress, readOnly: true, context.LocalPs);
            return MonitorSupervisor.InMonitor(cost + _monitor.Reflect(v));
        }

        cost += _monitor.Run(MonitorHandler.L2TlbLookup);
        _monitor.TouchL2Tlb(v, asid, vpn, store: false);
        if (v.L2Tlb.TryLookup(asid, vpn, out long page, out bool writable))
        {
            // The pair's other half is a second slot.
            _monitor.TouchL2Tlb(v, asid, vpn ^ 1, store: false);
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
            return MonitorSupervisor.InMonitor(cost);
        }

        v.Count(VcpuCounter.L2TlbMisses);
        if (asid == GuestLayout.KernelAsid && GuestLayout.IsMappedKernel(virtualAddress))
        {
            // The relocated kernel segment is a fixed map of guest-physical memory: the monitor fills it itself.
            v.Count(VcpuCounter.KernelSegmentFills);
            return WriteGuestEntry(v, asid, vpn, context, cost) ? MonitorSupervisor.InMonitor(cost) : MonitorSupervisor.WaitInMonitor(cost);
        }

        if (v.Kernel.LibraryOs && asid != GuestLayout.KernelAsid)
        {
            return LibraryOsMiss(v, asid, vpn, context, cost);
        }

        v.Count(VcpuCounter.ReflectedTraps);
        v.Kernel.OnTlbMiss(virtualAddress, readOnly: false, context.LocalPs);
        return MonitorSupervisor.InMonitor(cost + _monitor.Reflect(v));
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
            return MonitorSupervisor.WaitInMonitor(cost);
        }

        if (v.Kernel.TakeUnzeroed(guestPage) && v.TryMachinePage(guestPage, out long machinePage))
        {
            v.Count(VcpuCounter.ZeroedPages);
            _monitor.ZeroPage(machinePage);
        }

        return MonitorSupervisor.InMonitor(cost);
    }

    /// <summary>Writes the hardware TLB entry the guest's tables give, translated through the pmap; false when a pmap fill is under way.</summary>
    public bool WriteGuestEntry(Vcpu v, int asid, long vpn, ISupervisorContext context, long costPs)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(context);
        var e = v.Kernel.TlbEntryFor(asid, vpn);
        if (asid == GuestLayout.KernelAsid && GuestLayout.IsMappedKernel(vpn << MachineConstants.PageShift))
        {
            // The kernel segment maps all of guest memory: the other page of the pair may be one the guest never
            // touched, or freed. It goes in only when this VCPU has it already; a fill never brings it in.
            bool missedOdd = (vpn & 1) != 0;
            if (missedOdd && !v.TryMachinePage(e.EvenPage, out _))
            {
                e.EvenPage = -1;
            }
            else if (!missedOdd && !v.TryMachinePage(e.OddPage, out _))
            {
                e.OddPage = -1;
            }
        }

        if (!Resolve(v, e.EvenPage, out long even, context, costPs) || !Resolve(v, e.OddPage, out long odd, context, costPs))
        {
            return false;
        }

        // Writable only where both the guest and the monitor allow it: a shared page traps on the first store.
        bool evenWritable = e.EvenWritable && (even < 0 || (v.TryMachinePage(e.EvenPage, out _, out bool ew) && ew));
        bool oddWritable = e.OddWritable && (odd < 0 || (v.TryMachinePage(e.OddPage, out _, out bool ow) && ow));
        long evenVpn = e.VirtualPair << 1;

        // Both halves read from the pmap, written to the second-level TLB.
        _monitor.TouchPmap(v.Vm, e.EvenPage, store: false);
        _monitor.TouchPmap(v.Vm, e.OddPage, store: false);
        _monitor.TouchL2Tlb(v, asid, evenVpn, store: true);
        _monitor.TouchL2Tlb(v, asid, evenVpn + 1, store: true);
        v.L2Tlb.Insert(asid, evenVpn, even, evenWritable);
        v.L2Tlb.Insert(asid, evenVpn + 1, odd, oddWritable);
        WriteTlb(v, new TlbEntry(e.VirtualPair, asid, even, evenWritable, odd, oddWritable), context);
        return true;
    }

    /// <summary>
    /// The machine page behind a guest page; false (and a request to the page manager) when this processor has none
    /// yet. The request leaves when the handler has spent <paramref name="costPs"/>, so the fill adds to that time.
    /// </summary>
    public bool Resolve(Vcpu v, long guestPage, out long machinePage, ISupervisorContext context, long costPs)
    {
        ArgumentNullException.ThrowIfNull(v);
        ArgumentNullException.ThrowIfNull(context);
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
        _monitor.AwaitPageManager();
        var loaded = v.Kernel.LoadedFrom(guestPage);
        var request = loaded is { } block
            ? new MachinePageRequest(v.Vm, guestPage, context.Node, new DiskBlock(_io.PhysicalDisk(v.Vm, block.Disk).CacheDisk, block.Sector), (int)v.Kernel.KindOf(guestPage))
            : new MachinePageRequest(v.Vm, guestPage, context.Node, PageKind: (int)v.Kernel.KindOf(guestPage));
        context.Send(_pageManager, request, costPs);
        return false;
    }

    /// <summary>Drops every hardware TLB entry pair that maps one of <paramref name="machinePages"/>.</summary>
    internal static void Invalidate(SoftwareTlb tlb, long[] machinePages)
    {
        if (machinePages.Length == 0)
        {
            return;
        }

        var stale = tlb.Contents().Where(e => Array.IndexOf(machinePages, e.EvenPage) >= 0 || Array.IndexOf(machinePages, e.OddPage) >= 0).ToList();
        foreach (var e in stale)
        {
            tlb.Invalidate(e.VirtualPair, e.Asid);
        }
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
}
