using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// A virtual CPU: the guest kernel it runs (a uniprocessor guest: one VCPU per virtual machine), the processor's
/// cached part of its VM's pmap (the machine page behind each guest page it has used, which is all it may ever
/// reach), its second-level TLB and the monitor's counters for it.
/// </summary>
public sealed class Vcpu
{
    private readonly SortedDictionary<long, long> _pmap = [];
    private readonly Dictionary<long, int> _machinePages = [];

    public Vcpu(int vm, GuestKernel kernel, int l2TlbEntries)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        Vm = vm;
        Kernel = kernel;
        L2Tlb = new SecondLevelTlb(l2TlbEntries);
    }

    public int Vm { get; }

    public GuestKernel Kernel { get; }

    public SecondLevelTlb L2Tlb { get; }

    /// <summary>Counters (checkpointed): see <see cref="VcpuCounter"/>.</summary>
    public long[] Counters { get; } = new long[(int)VcpuCounter.Count];

    /// <summary>Processor time while this VCPU ran, by bucket: user, kernel, monitor, idle, stall (checkpointed).</summary>
    public long[] TimePs { get; } = new long[5];

    /// <summary>SMP VMs: this VCPU spins for its VM's memlock (checkpointed).</summary>
    public bool LockPending { get; set; }

    public long LockRequestedPs { get; set; }

    /// <summary>True when the VCPU has something to run (false: its guest idles in the low-power wait).</summary>
    public bool Runnable => Kernel.Current is not null;

    public bool TryMachinePage(long guestPage, out long machinePage) => TryMachinePage(guestPage, out machinePage, out _);

    /// <summary>The machine page behind a guest page and whether the VM may write it (false: shared, copy on write).</summary>
    public bool TryMachinePage(long guestPage, out long machinePage, out bool writable)
    {
        if (_pmap.TryGetValue(guestPage, out long entry))
        {
            machinePage = entry >> 1;
            writable = (entry & 1) != 0;
            return true;
        }

        machinePage = -1;
        writable = false;
        return false;
    }

    /// <summary>Machine pages this VCPU's VM was given (the isolation invariant's reference).</summary>
    public bool Owns(long machinePage) => _machinePages.ContainsKey(machinePage);

    /// <summary>Records a pmap entry; true when it replaced a mapping to another page (TLB entries may hold the old one).</summary>
    public bool Grant(long guestPage, long machinePage, bool writable = true)
    {
        bool replaced = Drop(guestPage, except: machinePage);
        _pmap[guestPage] = (machinePage << 1) | (writable ? 1L : 0L);
        _machinePages[machinePage] = _machinePages.GetValueOrDefault(machinePage) + 1;
        return replaced;
    }

    /// <summary>Forgets a guest page's mapping (the monitor is about to remap it); true when there was one.</summary>
    public bool Drop(long guestPage, long except = -1)
    {
        if (!_pmap.Remove(guestPage, out long entry))
        {
            return false;
        }

        long old = entry >> 1;
        if (--_machinePages[old] == 0)
        {
            _machinePages.Remove(old);
        }

        return old != except;
    }

    public void Count(VcpuCounter counter, long n = 1) => Counters[(int)counter] += n;

    public void ReportStats(IStatsSink sink)
    {
        string vm = $"vm.{Vm}.";
        sink.Add(vm + "vcpus", 1);
        Kernel.ReportStats(sink);
        sink.Add(vm + "page_faults", Kernel.ServiceCount(KernelService.DemandZero) + Kernel.ServiceCount(KernelService.FileFault));
        sink.Add(vm + "memory_pages.guest", Kernel.PagesInUse);
        sink.Add(vm + "memory_pages.guest_peak", Kernel.PeakPagesInUse);
        sink.Add(vm + "l2tlb_hits", Counters[(int)VcpuCounter.L2TlbHits]);
        sink.Add(vm + "monitor_traps", Counters[(int)VcpuCounter.Traps]);
        string[] buckets = ["user", "kernel", "monitor", "idle", "stall"];
        for (int b = 0; b < buckets.Length; b++)
        {
            sink.Add(vm + "cpu_time_ps." + buckets[b], TimePs[b]);
        }
        for (int i = 0; i < (int)VcpuCounter.Count; i++)
        {
            sink.Add("monitor." + VcpuCounters.Names[i], Counters[i]);
        }

        sink.Add("l2tlb_hits", Counters[(int)VcpuCounter.L2TlbHits]);
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write(Counters);
        writer.Write(TimePs);
        writer.Write(LockPending);
        writer.Write(LockRequestedPs);
        writer.WriteCount(_pmap.Count);
        foreach (var (g, entry) in _pmap)
        {
            writer.Write(g);
            writer.Write(entry);
        }

        L2Tlb.Save(ref writer);
        Kernel.Save(ref writer);
    }

    public void Load(ref StateReader reader)
    {
        reader.ReadLongsInto("vcpu counters", Counters);
        reader.ReadLongsInto("vcpu time", TimePs);
        LockPending = reader.ReadBool("memlock pending");
        LockRequestedPs = reader.ReadLong("memlock requested", 0, long.MaxValue);
        _pmap.Clear();
        _machinePages.Clear();
        int n = reader.ReadCount("vcpu pmap", 1 << 26);
        for (int i = 0; i < n; i++)
        {
            long g = reader.ReadLong("guest page", 0, long.MaxValue);
            long entry = reader.ReadLong("pmap entry", 0, long.MaxValue);
            Grant(g, entry >> 1, (entry & 1) != 0);
        }

        L2Tlb.Load(ref reader);
        Kernel.Load(ref reader);
    }
}

public enum VcpuCounter
{
    /// <summary>Every entry into the monitor from this VCPU.</summary>
    Traps = 0,
    EmulatedPrivileged = 1,
    EmulatedTlbWrites = 2,
    L2TlbHits = 3,
    L2TlbMisses = 4,

    /// <summary>Misses on the relocated kernel segment the monitor filled itself.</summary>
    KernelSegmentFills = 5,
    ReflectedTraps = 6,
    MonitorCalls = 7,
    ZeroedPages = 8,
    PmapWaits = 9,
    Interrupts = 10,
    CopyOnWriteFaults = 11,
    MemlockAcquisitions = 12,
    MemlockWaitPs = 13,
    RegionSemAcquisitions = 14,
    RegionSemWaitPs = 15,

    /// <summary>Page faults of a library OS the monitor handled itself (first touch of a page: fill and zero).</summary>
    LibraryOsFaults = 16,
    Count = 17,
}

public static class VcpuCounters
{
    public static readonly string[] Names =
    [
        "traps", "emulated_privileged", "emulated_tlb_writes", "l2tlb_hits", "l2tlb_misses", "kernel_segment_fills", "reflected_traps",
        "monitor_calls", "zeroed_pages", "pmap_waits", "interrupts", "copy_on_write_faults", "memlock_acquisitions", "memlock_wait_ps",
        "region_sem_acquisitions", "region_sem_wait_ps", "library_os_faults",
    ];
}
