namespace Disco.Actors.Monitor.Vcpus;

/// <summary>The monitor's counters of one VCPU, reported as <c>monitor.{name}</c> summed over the VCPUs (names in <see cref="VcpuCounters"/>).</summary>
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

    /// <summary>Region-semaphore waits of the VCPU's guest (the memlock is a spin lock in memory: <c>hw.lock.*</c>).</summary>
    RegionSemAcquisitions = 12,
    RegionSemWaitPs = 13,

    /// <summary>Page faults of a library OS the monitor handled itself (first touch of a page: fill and zero).</summary>
    LibraryOsFaults = 14,
    Count = 15,
}
