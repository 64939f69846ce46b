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
    private readonly HashSet<long> _machinePages = [];

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

    /// <summary>True when the VCPU has something to run (false: its guest idles in the low-power wait).</summary>
    public bool Runnable => Kernel.Current is not null;

    public bool TryMachinePage(long guestPage, out long machinePage) => _pmap.TryGetValue(guestPage, out machinePage);

    /// <summary>Machine pages this VCPU's VM was given (the isolation invariant's reference).</summary>
    public bool Owns(long machinePage) => _machinePages.Contains(machinePage);

    public void Grant(long guestPage, long machinePage)
    {
        _pmap[guestPage] = machinePage;
        _machinePages.Add(machinePage);
    }

    public void Count(VcpuCounter counter, long n = 1) => Counters[(int)counter] += n;

    public void ReportStats(IStatsSink sink)
    {
        string vm = $"vm.{Vm}.";
        sink.Add(vm + "vcpus", 1);
        Kernel.ReportStats(sink);
        sink.Add(vm + "page_faults", Kernel.ServiceCount(KernelService.DemandZero) + Kernel.ServiceCount(KernelService.FileFault));
        sink.Add(vm + "memory_pages.guest", Kernel.PagesInUse);
        sink.Add(vm + "l2tlb_hits", Counters[(int)VcpuCounter.L2TlbHits]);
        sink.Add(vm + "monitor_traps", Counters[(int)VcpuCounter.Traps]);
        for (int i = 0; i < (int)VcpuCounter.Count; i++)
        {
            sink.Add("monitor." + VcpuCounters.Names[i], Counters[i]);
        }

        sink.Add("l2tlb_hits", Counters[(int)VcpuCounter.L2TlbHits]);
        sink.Add("disk_requests.issued", Kernel.DiskReads);
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write(Counters);
        writer.WriteCount(_pmap.Count);
        foreach (var (g, m) in _pmap)
        {
            writer.Write(g);
            writer.Write(m);
        }

        L2Tlb.Save(ref writer);
        Kernel.Save(ref writer);
    }

    public void Load(ref StateReader reader)
    {
        long[] c = reader.ReadLongArray("vcpu counters", Counters.Length);
        if (c.Length != Counters.Length)
        {
            throw new CorruptStateException($"vcpu: {c.Length} counters saved, {Counters.Length} expected");
        }

        c.CopyTo(Counters, 0);
        _pmap.Clear();
        _machinePages.Clear();
        int n = reader.ReadCount("vcpu pmap", 1 << 26);
        for (int i = 0; i < n; i++)
        {
            long g = reader.ReadLong("guest page", 0, long.MaxValue);
            Grant(g, reader.ReadLong("machine page", 0, long.MaxValue));
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
    Count = 11,
}

public static class VcpuCounters
{
    public static readonly string[] Names =
    [
        "traps", "emulated_privileged", "emulated_tlb_writes", "l2tlb_hits", "l2tlb_misses", "kernel_segment_fills", "reflected_traps",
        "monitor_calls", "zeroed_pages", "pmap_waits", "interrupts",
    ];
}
