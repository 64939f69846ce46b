namespace Disco.Actors.Monitor.Vcpus;

/// <summary>The statistic names of <see cref="VcpuCounter"/>, in its order.</summary>
public static class VcpuCounters
{
    public static readonly string[] Names =
    [
        "traps", "emulated_privileged", "emulated_tlb_writes", "l2tlb_hits", "l2tlb_misses", "kernel_segment_fills", "reflected_traps",
        "monitor_calls", "zeroed_pages", "pmap_waits", "interrupts", "copy_on_write_faults",
        "region_sem_acquisitions", "region_sem_wait_ps", "library_os_faults",
    ];
}
