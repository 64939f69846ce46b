namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The monitor's handlers, each a run of its own instructions in the monitor's code (<c>disco.monitor</c> gives each
/// one's instruction count): their text is laid out in this order from the start of the code, each from a fresh L2
/// line (<see cref="MonitorParams.TextOffset"/>).
/// </summary>
public enum MonitorHandler : byte
{
    /// <summary>Entering the monitor from the guest and leaving it (registers saved and restored).</summary>
    Trap,

    /// <summary>Delivering a trap to the guest's vector.</summary>
    Reflect,

    /// <summary>Decoding and emulating a privileged instruction on the VCPU's state.</summary>
    EmulatePrivileged,

    /// <summary>An emulated TLB write beyond the decode: pmap lookup, precomputed entry, second-level TLB insert.</summary>
    EmulateTlbWrite,

    /// <summary>The second-level TLB lookup of a hardware TLB miss (and the hardware TLB write on a hit).</summary>
    L2TlbLookup,

    /// <summary>A monitor call (I/O request, zeroed page, network send) beyond the trap.</summary>
    MonitorCall,

    /// <summary>Translating one DMA page of an I/O request through the pmap.</summary>
    DmaPerPage,

    /// <summary>Switching VCPUs on a processor.</summary>
    VcpuSwitch,

    /// <summary>Taking a device or inter-processor interrupt and posting it.</summary>
    Interrupt,
}
