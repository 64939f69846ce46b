namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The guest kernel's services, each counted with its time (the paper's per-service table [D 5.3]). Numbers are
/// stable: they index counters and are saved in checkpoints.
/// </summary>
public enum KernelService
{
    /// <summary>First touch of an anonymous page: allocate and zero a page, map it.</summary>
    DemandZero = 0,

    /// <summary>A TLB refill whose page-table load itself missed in the TLB (a nested, kernel refill).</summary>
    SlowTlbRefill = 1,

    /// <summary>A TLB refill from the page table (the UTLB handler).</summary>
    FastTlbRefill = 2,

    /// <summary>First touch of a file-backed page (program text, a mapped file): map its buffer-cache page.</summary>
    FileFault = 3,
    Open = 4,
    Read = 5,
    Write = 6,
    Execve = 7,
    Fork = 8,
    Exit = 9,

    /// <summary>Short system calls (getpid, brk, ...).</summary>
    OtherSyscall = 10,

    /// <summary>A device interrupt (disk completion).</summary>
    Interrupt = 11,

    /// <summary>Switching processes (time slice over, a process blocked or exited).</summary>
    ContextSwitch = 12,

    /// <summary>An NFS server answering a read request from the virtual network.</summary>
    NfsServe = 13,

    /// <summary>
    /// First touch of a file-backed page already in the buffer cache: map it, no I/O (IRIX's QUICK_FAULT, the slow
    /// TLB refill of [D Table 2]: a fault on a resident page). <see cref="FileFault"/> is the one that must read.
    /// </summary>
    QuickFault = 14,

    /// <summary>
    /// A call that looks a path name up and opens nothing (stat, access, readlink, a failed open: a compiler
    /// searching its include directories): the lookup part of <see cref="Open"/>, through the same name cache.
    /// </summary>
    Stat = 15,
}

public static class KernelServices
{
    public const int Count = 16;

    private static readonly string[] Names =
    [
        "demand_zero", "slow_tlb_refill", "fast_tlb_refill", "file_fault", "open", "read", "write", "execve", "fork", "exit",
        "other_syscall", "interrupt", "context_switch", "nfs_serve", "quick_fault", "stat",
    ];

    /// <summary>The counter name (<c>service.&lt;name&gt;.count</c>, <c>.time_ps</c>).</summary>
    public static string Name(this KernelService service) => Names[(int)service];

    /// <summary>Services the guest requests identically on bare hardware and under the monitor (refills and
    /// scheduling depend on timing and on the monitor's second-level TLB).</summary>
    public static readonly KernelService[] ModeIndependent =
    [
        KernelService.DemandZero, KernelService.FileFault, KernelService.Open, KernelService.Read, KernelService.Write,
        KernelService.Execve, KernelService.Fork, KernelService.Exit, KernelService.OtherSyscall, KernelService.QuickFault,
        KernelService.Stat,
    ];
}
