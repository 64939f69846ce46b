using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// A virtual CPU: the guest kernel it runs (its current execution stream is the VCPU's registers and mode as the
/// model keeps them), the cached part of its VM's pmap (the machine page behind each guest page it has used, which
/// is all it may ever reach), its second-level TLB (the virtual TLB), the virtual interrupts posted to it while it
/// was parked, the server side of the virtual network, and the monitor's counters for it. Its state travels whole
/// between its component and the processor that runs it (<see cref="VcpuTransfer"/>).
/// </summary>
public sealed class Vcpu : IStateful
{
    private readonly SortedDictionary<long, PmapEntry> _pmap = [];
    private readonly Dictionary<long, int> _machinePages = [];
    private readonly List<ISimMessage> _pending = [];
    private readonly SortedDictionary<long, Network.NfsRequest> _nfsPending = [];
    private readonly SortedSet<long> _staleInTlb = [];
    private bool _booted;
    private long _nfsReplies;

    /// <param name="index">The VCPU's number in the run (its component is the index-th VCPU component).</param>
    public Vcpu(int vm, GuestKernel kernel, int l2TlbEntries, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        Vm = vm;
        Kernel = kernel;
        Index = index;
        L2Tlb = new SecondLevelTlb(l2TlbEntries);
        kernel.SplitServicesBy(WorkPs);
    }

    public int Vm { get; }

    /// <summary>The VCPU's number in the run.</summary>
    public int Index { get; }

    /// <summary>Its guest kernel has booted (whoever holds the VCPU at time 0 boots it).</summary>
    public bool Booted => _booted;

    /// <summary>Virtual interrupts posted while the VCPU was parked, oldest first; delivered when it is dispatched.</summary>
    public List<ISimMessage> PendingInterrupts => _pending;

    /// <summary>NFS requests the server VM's guest took and has not answered yet, by its handle.</summary>
    internal SortedDictionary<long, Network.NfsRequest> NfsPending => _nfsPending;

    /// <summary>True when nothing will ever run on this VCPU again.</summary>
    public bool Finished => Kernel.Finished && !Kernel.InKernel;

    public void Boot(long nowPs)
    {
        if (!_booted)
        {
            _booted = true;
            Kernel.Boot(nowPs);
        }
    }

    internal void CountNfsReply() => _nfsReplies++;

    public GuestKernel Kernel { get; }

    public SecondLevelTlb L2Tlb { get; }

    /// <summary>Counters (checkpointed): see <see cref="VcpuCounter"/>.</summary>
    public long[] Counters { get; } = new long[(int)VcpuCounter.Count];

    /// <summary>Processor time while this VCPU ran, indexed by <see cref="CpuTimeBucket"/> (checkpointed).</summary>
    public long[] TimePs { get; } = new long[CpuTimeBuckets.Count];

    /// <summary>The same time by what it went to, indexed by <see cref="MonitorWork"/> (checkpointed): each service's split is read from it.</summary>
    public long[] WorkPs { get; } = new long[MonitorWorks.Count];

    private bool _lockPending;
    private long _lockRequestedPs;

    /// <summary>SMP VMs: this VCPU waits for its VM's region semaphore (checkpointed).</summary>
    public bool LockPending
    {
        get => _lockPending;
        set => _lockPending = value;
    }

    public long LockRequestedPs
    {
        get => _lockRequestedPs;
        set => _lockRequestedPs = value;
    }

    /// <summary>True when the VCPU has something to run (false: its guest idles in the low-power wait).</summary>
    public bool Runnable => Kernel.Current is not null;

    public bool TryMachinePage(long guestPage, out long machinePage) => TryMachinePage(guestPage, out machinePage, out _);

    /// <summary>The machine page behind a guest page and whether the VM may write it (false: shared, copy on write).</summary>
    public bool TryMachinePage(long guestPage, out long machinePage, out bool writable)
    {
        if (_pmap.TryGetValue(guestPage, out var entry))
        {
            machinePage = entry.MachinePage;
            writable = entry.Writable;
            return true;
        }

        machinePage = -1;
        writable = false;
        return false;
    }

    /// <summary>Machine pages this VCPU's VM was given (the isolation invariant's reference).</summary>
    public bool Owns(long machinePage) => _machinePages.ContainsKey(machinePage);

    /// <summary>
    /// Records a pmap entry; true when it replaced a mapping to another page, or the same page with the other
    /// permission (an SMP VM's other VCPU copied or wrote it meanwhile): TLB entries may hold the old one.
    /// </summary>
    public bool Grant(long guestPage, long machinePage, bool writable = true)
    {
        bool changed = _pmap.TryGetValue(guestPage, out var before) && before.Writable != writable;
        bool replaced = Drop(guestPage, except: machinePage) || changed;
        _pmap[guestPage] = new PmapEntry(machinePage, writable);
        _machinePages[machinePage] = _machinePages.GetValueOrDefault(machinePage) + 1;
        return replaced;
    }

    /// <summary>Forgets a guest page's mapping (the monitor is about to remap it); true when there was one.</summary>
    public bool Drop(long guestPage, long except = -1)
    {
        if (!_pmap.Remove(guestPage, out var entry))
        {
            return false;
        }

        long old = entry.MachinePage;
        if (--_machinePages[old] == 0)
        {
            _machinePages.Remove(old);
        }

        return old != except;
    }

    /// <summary>Every cached pmap entry: guest page → (machine page, writable), in guest page order.</summary>
    public IEnumerable<KeyValuePair<long, PmapEntry>> CachedPmap => _pmap;

    /// <summary>
    /// A TLB shootdown: forgets the cached pmap entries that still map <paramref name="machinePages"/>[i] at
    /// <paramref name="guestPages"/>[i] and every second-level TLB entry of those machine pages (the hardware
    /// TLB's are the processor's to drop).
    /// </summary>
    public void Invalidate(long[] guestPages, long[] machinePages)
    {
        ArgumentNullException.ThrowIfNull(guestPages);
        ArgumentNullException.ThrowIfNull(machinePages);
        for (int i = 0; i < guestPages.Length; i++)
        {
            if (_pmap.TryGetValue(guestPages[i], out var e) && e.MachinePage == machinePages[i])
            {
                Drop(guestPages[i]);
            }
        }

        L2Tlb.Invalidate(machinePages);
    }

    /// <summary>
    /// A shootdown reached the VCPU parked: the hardware TLB of the processor it last ran on may still hold entries
    /// of <paramref name="machinePages"/>, which that processor drops when the VCPU is loaded again.
    /// </summary>
    public void MarkStaleInTlb(long[] machinePages) => _staleInTlb.UnionWith(machinePages);

    /// <summary>The machine pages whose hardware TLB entries must go before the VCPU runs (and forgets them).</summary>
    public long[] TakeStaleInTlb()
    {
        long[] pages = [.. _staleInTlb];
        _staleInTlb.Clear();
        return pages;
    }

    public void Count(VcpuCounter counter, long n = 1) => Counters[(int)counter] += n;

    /// <summary>The declared counters (<c>monitor.*</c>, this VM's time buckets), then the guest's and derived figures.</summary>
    public void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        this.ReportTo(sink);
        string vm = $"vm.{Vm}.";
        sink.Add(vm + "vcpus", 1);
        Kernel.ReportStats(sink);
        sink.Add(vm + "page_faults", Kernel.ServiceCount(KernelService.DemandZero) + Kernel.ServiceCount(KernelService.FileFault) + Kernel.ServiceCount(KernelService.QuickFault));
        sink.Add(vm + "memory_pages.guest", Kernel.PagesInUse);
        sink.Add(vm + "memory_pages.guest_peak", Kernel.PeakPagesInUse);
        sink.Add(vm + "l2tlb_hits", Counters[(int)VcpuCounter.L2TlbHits]);
        sink.Add(vm + "monitor_traps", Counters[(int)VcpuCounter.Traps]);
        sink.Add("l2tlb_hits", Counters[(int)VcpuCounter.L2TlbHits]);
    }

    /// <summary>Counters, time, boot, pending interrupts, the NFS server's requests, the semaphore wait, the cached pmap, the second-level TLB, then the guest kernel.</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Counters("monitor", Counters, VcpuCounters.Names);
        io.Counters($"vm.{Vm}.{CpuTimeBuckets.StatPrefix}", TimePs, CpuTimeBuckets.Names);
        io.Counters($"vm.{Vm}.monitor_work_ps", WorkPs, MonitorWorks.All);
        io.Bool("booted", ref _booted);
        io.List("pending virtual interrupts", _pending, 1 << 16, static (ref StateIo io, ref ISimMessage m) => io.Message("virtual interrupt", ref m));
        io.Map("nfs pending", _nfsPending, 1 << 16, static (ref StateIo io, ref long handle) => io.Long("nfs handle", ref handle, 0), static (ref StateIo io, ref Network.NfsRequest r) => io.Message("nfs request", ref r));
        io.Counter("network.nfs_replies", ref _nfsReplies);
        io.Bool("memlock pending", ref _lockPending);
        io.Long("memlock requested", ref _lockRequestedPs, 0);
        io.Map("vcpu pmap", _pmap, 1 << 26, static (ref StateIo io, ref long g) => io.Long("guest page", ref g, 0), static (ref StateIo io, ref PmapEntry e) => io.Value("pmap entry", ref e));
        if (io.IsLoading)
        {
            _machinePages.Clear();
            foreach (var e in _pmap.Values)
            {
                _machinePages[e.MachinePage] = _machinePages.GetValueOrDefault(e.MachinePage) + 1;
            }
        }

        io.Part(L2Tlb);
        io.Set("stale in tlb", _staleInTlb, 1 << 20, 0, long.MaxValue);
        if (!io.IsReporting)
        {
            io.Part(Kernel); // its counters come with its derived figures, from ReportStats
        }
    }
}
