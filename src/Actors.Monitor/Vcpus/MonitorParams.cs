namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The monitor's mechanisms and what each costs (PARAMETERS.md: [D] gives no cycle counts, so every value is our
/// choice, a key under disco.monitor, documented in config/akka.hocon). A handler's cost (<see cref="HandlerPs"/>)
/// is its instructions at one cycle each, read as instruction counts; on top of it, the processor goes through
/// its code lines and the data lines it touches (<see cref="MonitorFootprint"/>), so its misses add stall.
/// </summary>
public sealed record MonitorParams
{
    /// <summary>Virtual machines, each one uniprocessor guest on one VCPU; VM k's VCPU runs on processor k mod nodes.</summary>
    public int Vms { get; init; } = 1;

    /// <summary>Entering the monitor from the guest and leaving it again (save and restore of state).</summary>
    public long TrapPs { get; init; } = 100_000;

    /// <summary>Emulating one privileged instruction on the VCPU's state.</summary>
    public long EmulatePrivilegedPs { get; init; } = 62_500;

    /// <summary>Extra for an emulated TLB write: pmap lookup, the precomputed entry, the second-level TLB insert.</summary>
    public long EmulateTlbWritePs { get; init; } = 150_000;

    /// <summary>Delivering a trap to the guest's vector (exception state of the VCPU, supervisor mode).</summary>
    public long ReflectPs { get; init; } = 125_000;

    /// <summary>A lookup in the second-level software TLB (and the hardware TLB write on a hit).</summary>
    public long L2TlbLookupPs { get; init; } = 50_000;

    public int L2TlbEntries { get; init; } = 4096;

    /// <summary>A monitor call (I/O request, zeroed page) beyond the trap.</summary>
    public long MonitorCallPs { get; init; } = 100_000;

    /// <summary>Translating one DMA page of an I/O request through the pmap.</summary>
    public long DmaPerPagePs { get; init; } = 50_000;

    /// <summary>A pmap fill: the round trip to the page manager that backs a guest page with a machine page.</summary>
    public long PageFillPs { get; init; } = 2_000_000;

    /// <summary>Copying a 4 KB page for a copy-on-write fault (at memory bandwidth).</summary>
    public long PageCopyPs { get; init; } = 10_000_000;

    /// <summary>Switching VCPUs on a processor (the hardware TLB is flushed as well).</summary>
    public long VcpuSwitchPs { get; init; } = 2_000_000;

    /// <summary>Taking a device interrupt and posting it to the VCPU it belongs to.</summary>
    public long InterruptPs { get; init; } = 500_000;

    public long VcpuTimeSlicePs { get; init; } = 10_000_000_000;

    /// <summary>
    /// A TLB shootdown's initiator posting one inter-processor message (per other VCPU of an SMP VM): its reply
    /// (the copy-on-write grant, the transfer's completion) leaves no earlier than this times the targets.
    /// </summary>
    public long ShootdownSendPs { get; init; } = 100_000;

    /// <summary>
    /// One message between the monitor's parts on different processors (an inter-processor interrupt): a VCPU's state
    /// handed to or back from a processor, a virtual interrupt posted to a VCPU, the VM manager's orders.
    /// </summary>
    public long IpiLatencyPs { get; init; } = 1_000_000;

    /// <summary>VCPUs of each VM (an SMP guest when more than 1): VM v's VCPU k runs on processor (v × this + k) mod nodes.</summary>
    public int VcpusPerVm { get; init; } = 1;

    /// <summary>VM 0 is an NFS server for the others' data files (the virtual network).</summary>
    public bool Nfs { get; init; }

    public long NfsServerMemoryBytes { get; init; } = 96L << 20;

    public long NetworkLatencyPs { get; init; } = 20_000_000;

    /// <summary>
    /// The root disk (disk 0) is persistent: guest writes to it reach the disk. Only with one VM: a persistent disk
    /// is mounted by one VM only [D 4.2.4]. Otherwise it is non-persistent: every VM shares it copy-on-write and its
    /// writes stay in memory, private to the VM. A VM's data disk is always its own and persistent.
    /// </summary>
    public bool PersistentRootDisk { get; init; }

    /// <summary>The monitor's code (and static data), in bytes; with <see cref="ReplicateCode"/> a copy on every node.</summary>
    public long CodeBytes { get; init; } = 256 << 10;

    /// <summary>Disco replicates its code in every node's memory, so it never takes remote instruction misses.</summary>
    public bool ReplicateCode { get; init; } = true;

    /// <summary>Bytes per pmap entry, one per guest-physical page of each VM (machine page and precomputed TLB entry).</summary>
    public int PmapEntryBytes { get; init; } = 16;

    /// <summary>Bytes per memmap entry, one per machine page (its back-map list head).</summary>
    public int MemmapEntryBytes { get; init; } = 16;

    /// <summary>Bytes per second-level TLB entry, <see cref="L2TlbEntries"/> per VCPU.</summary>
    public int L2TlbEntryBytes { get; init; } = 16;

    /// <summary>A VCPU's saved state (registers, privileged state, exception frame).</summary>
    public int VcpuStateBytes { get; init; } = 4096;

    /// <summary>Page migration and replication (<c>disco.monitor.numa</c>).</summary>
    public Numa.NumaParams Numa { get; init; } = new();

    /// <summary>The processor's cycle (<c>machine.processor.cycle-time</c>): the handlers' instruction counts are read into times with it.</summary>
    public long CycleTimePs { get; init; } = 2_500;

    /// <summary>Bytes of text each handler's instructions start on a fresh line of (the L2 line of the default machine).</summary>
    public const int TextAlignBytes = 128;

    /// <summary>The base cost of one run of <paramref name="handler"/>: its instructions, one cycle each.</summary>
    public long HandlerPs(MonitorHandler handler) => handler switch
    {
        MonitorHandler.Trap => TrapPs,
        MonitorHandler.Reflect => ReflectPs,
        MonitorHandler.EmulatePrivileged => EmulatePrivilegedPs,
        MonitorHandler.EmulateTlbWrite => EmulateTlbWritePs,
        MonitorHandler.L2TlbLookup => L2TlbLookupPs,
        MonitorHandler.MonitorCall => MonitorCallPs,
        MonitorHandler.DmaPerPage => DmaPerPagePs,
        MonitorHandler.VcpuSwitch => VcpuSwitchPs,
        MonitorHandler.Interrupt => InterruptPs,
        _ => throw new ArgumentOutOfRangeException(nameof(handler), handler, null),
    };

    /// <summary>The instructions of <paramref name="handler"/> (its text is 4 bytes each).</summary>
    public int Instructions(MonitorHandler handler) => (int)(HandlerPs(handler) / Math.Max(1, CycleTimePs));

    /// <summary>Where <paramref name="handler"/>'s text starts in the monitor's code: after the handlers before it, each from a fresh line.</summary>
    public long TextOffset(MonitorHandler handler)
    {
        long offset = 0;
        for (var h = MonitorHandler.Trap; h < handler; h++)
        {
            offset += TextBytes(h);
        }

        return offset;
    }

    /// <summary>Bytes of text all the handlers take.</summary>
    public long AllTextBytes => TextOffset(MonitorHandler.Interrupt) + TextBytes(MonitorHandler.Interrupt);

    /// <summary>Check isolation after every emulated TLB write and pmap change (slow; for tests).</summary>
    public bool CheckInvariants { get; init; }

    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (CodeBytes is < 0 or > 1L << 30 || PmapEntryBytes is < 0 or > 4096 || MemmapEntryBytes is < 0 or > 4096 || L2TlbEntryBytes is < 0 or > 4096 || VcpuStateBytes is < 0 or > 1 << 20)
        {
            yield return ("memory", "code-kb must be 0-1048576, the entry sizes 0-4096 bytes and vcpu-state-bytes 0-1048576");
        }

        if (CodeBytes > 0 && AllTextBytes > CodeBytes)
        {
            yield return ("memory.code-kb", $"the handlers' text takes {AllTextBytes} bytes, more than the monitor's code ({CodeBytes} bytes)");
        }

        if (PersistentRootDisk && Vms > 1)
        {
            yield return ("persistent-root-disk", $"a persistent disk is mounted by one VM only (vms = {Vms})");
        }

        foreach (var (key, value) in new (string, long)[]
        {
            ("trap", TrapPs), ("emulate-privileged", EmulatePrivilegedPs), ("emulate-tlb-write", EmulateTlbWritePs), ("reflect", ReflectPs),
            ("l2tlb-lookup", L2TlbLookupPs), ("monitor-call", MonitorCallPs), ("dma-per-page", DmaPerPagePs), ("page-copy", PageCopyPs), ("vcpu-switch", VcpuSwitchPs),
            ("interrupt", InterruptPs), ("shootdown-send", ShootdownSendPs),
        })
        {
            if (value < 0)
            {
                yield return (key, $"must not be negative (got {value} ps)");
            }
        }

        if (PageFillPs < 2)
        {
            yield return ("page-fill", $"must be at least 2 ps (it is the latency to the page manager and back; got {PageFillPs} ps)");
        }

        if (L2TlbEntries is < 1 or > (1 << 24))
        {
            yield return ("l2tlb-entries", $"must be between 1 and 16M (got {L2TlbEntries})");
        }

        if (VcpuTimeSlicePs <= 0)
        {
            yield return ("vcpu-time-slice", $"must be positive (got {VcpuTimeSlicePs} ps)");
        }

        if (VcpusPerVm is < 1 or > 64 || (Nfs && VcpusPerVm > 1))
        {
            yield return ("vcpus-per-vm", $"must be 1-64, and 1 with NFS (got {VcpusPerVm})");
        }

        if (Nfs && Vms < 2)
        {
            yield return ("nfs.enabled", $"needs a server and at least one client: monitor.vms >= 2 (got {Vms})");
        }

        if (IpiLatencyPs < 1)
        {
            yield return ("ipi-latency", $"must be positive: it is the latency of links between components (got {IpiLatencyPs} ps)");
        }

        if (NetworkLatencyPs < 1)
        {
            yield return ("nfs.latency", $"must be positive (got {NetworkLatencyPs} ps)");
        }

        if (Vms is < 1 or > 64)
        {
            yield return ("vms", $"must be between 1 and 64 (got {Vms})");
        }
    }

    private long TextBytes(MonitorHandler h) => ((4L * Instructions(h)) + TextAlignBytes - 1) / TextAlignBytes * TextAlignBytes;

    /// <summary>
    /// Machine pages the monitor's own code and data take (the "monitor" part of the machine footprint): its code
    /// (once per node when replicated), the memmap over all machine memory, each VM's pmap over its guest memory,
    /// and each VCPU's state and second-level TLB. Each structure is rounded up to whole pages.
    /// </summary>
    public long FootprintPages(int nodes, long machinePages, IEnumerable<long> vmGuestPages, int vcpus)
    {
        ArgumentNullException.ThrowIfNull(vmGuestPages);
        static long Pages(long bytes) => (bytes + 4095) / 4096;
        return (Pages(CodeBytes) * (ReplicateCode ? nodes : 1))
            + Pages(machinePages * MemmapEntryBytes)
            + vmGuestPages.Sum(g => Pages(g * PmapEntryBytes))
            + (vcpus * Pages(((long)L2TlbEntries * L2TlbEntryBytes) + VcpuStateBytes));
    }
}
