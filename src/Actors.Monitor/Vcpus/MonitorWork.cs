namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// What a VCPU's processor time went to, as the paper splits a kernel service's slowdown under Disco [D Table 2].
/// Numbers are stable: they index counters and checkpointed arrays.
/// </summary>
public enum MonitorWork
{
    /// <summary>The guest kernel's own instructions and its memory stalls.</summary>
    KernelExecution = 0,

    /// <summary>Emulating the guest's TLB writes (pmap lookup, second-level TLB, hardware entry).</summary>
    TlbWriteEmulation = 1,

    /// <summary>Emulating the other privileged instructions (ASID flushes, control registers).</summary>
    OtherPrivileged = 2,

    /// <summary>Monitor calls (zeroing a page, starting I/O, sending on the virtual network) and the monitor's page faults (pmap fills from the page manager, copy-on-write).</summary>
    MonitorCallsAndPageFaults = 3,

    /// <summary>TLB misses the guest kernel takes in its mapped segment, filled by the monitor.</summary>
    KernelTlbFaults = 4,

    /// <summary>Trap entry and reflection into the guest, virtual interrupts, VCPU scheduling.</summary>
    TrapsAndInterrupts = 5,

    /// <summary>User code and idle time (none during a kernel service but for what nests in it).</summary>
    UserAndIdle = 6,
}

public static class MonitorWorks
{
    public const int Count = 7;

    private static readonly string[] Names =
    [
        "kernel_execution", "tlb_write_emulation", "other_privileged", "monitor_calls_page_faults", "kernel_tlb_faults",
        "traps_interrupts", "user_idle",
    ];

    /// <summary>The statistic name (<c>service.&lt;name&gt;.split.&lt;work&gt;</c>).</summary>
    public static string Name(this MonitorWork work) => Names[(int)work];

    /// <summary>Every name, by number.</summary>
    public static IReadOnlyList<string> All => Names;
}
