namespace Disco.Actors.Monitor.Guest;

/// <summary>A piece of kernel code: instructions fetched from its text and kernel-data cache lines it touches.</summary>
public readonly record struct PathCost(int Instructions, int DataLines);

/// <summary>The kernel code paths the guest runs; each key under disco.guest.paths (our choice, [D] gives none).</summary>
public enum KernelCode
{
    ExceptionEntry = 0,
    ExceptionExit = 1,
    UtlbRefill = 2,
    KtlbRefill = 3,
    DemandZero = 4,
    FileFault = 5,
    Open = 6,
    Read = 7,
    Write = 8,
    Execve = 9,
    Fork = 10,
    Exit = 11,
    OtherSyscall = 12,
    Interrupt = 13,
    ContextSwitch = 14,
    NfsServe = 15,
    QuickFault = 16,
    Bzero = 17,

    /// <summary>A path-name lookup alone (stat and kin): the first part of <see cref="Open"/>'s code and data.</summary>
    Stat = 18,
}

/// <summary>
/// The IRIX-like guest kernel: memory, scheduling and the cost of each code path. The same values run on bare
/// hardware and under the monitor; only the platform differs.
/// </summary>
public sealed record GuestParams
{
    public const int CodeCount = 19;

    public static readonly string[] CodeKeys =
    [
        "exception-entry", "exception-exit", "utlb-refill", "ktlb-refill", "demand-zero", "file-fault", "open", "read", "write",
        "execve", "fork", "exit", "other-syscall", "interrupt", "context-switch", "nfs-serve", "quick-fault", "bzero", "stat",
    ];

    /// <summary>Guest-physical memory (the whole machine's on bare hardware is at least this).</summary>
    public long MemoryBytes { get; init; } = 64L << 20;

    public long TimeSlicePs { get; init; } = 10_000_000_000;

    /// <summary>
    /// The guest is a SPLASHOS-like library OS instead of IRIX: no virtual memory of its own (the monitor handles its
    /// page faults), no processes to create (its threads start at boot), no file system, no locks.
    /// </summary>
    public bool LibraryOs { get; init; }

    /// <summary>Processors of an SMP guest on bare hardware (each runs its share of the work; they share the memlock).</summary>
    public int Processors { get; init; } = 1;

    /// <summary>
    /// SMP guests on bare hardware: each processor's slice of memory goes to that processor's node (a NUMA-aware
    /// kernel), instead of every page interleaved round robin over the nodes (IRIX 5.3 on FLASH). The shared kernel
    /// and boot-cached files stay interleaved. A control for the scaling experiment: placement apart from locks.
    /// </summary>
    public bool PlaceByProcessor { get; init; }

    /// <summary>One way to the region semaphore's component and back (<c>smp.semaphore-latency</c>).</summary>
    public long SemaphoreLatencyPs { get; init; } = 1_000_000;

    /// <summary>
    /// SMP guests on bare hardware (<c>smp.scheduling</c>): processes may move between processors through the VM's
    /// shared run queue (IRIX 5.3, <c>shared</c>), or each stays on the processor that started it (<c>pinned</c>).
    /// </summary>
    public bool SharedRunQueue { get; init; } = true;

    /// <summary>
    /// Cache affinity (<c>smp.affinity-steal</c>): a runnable process waits for the processor it last ran on until it
    /// has waited this long; then an idle processor may take it.
    /// </summary>
    public long AffinityStealPs { get; init; } = 2_000_000_000;

    /// <summary>One way between a processor and the run queue's component (<c>smp.runqueue-latency</c>).</summary>
    public long RunQueueLatencyPs { get; init; } = 1_000_000;

    /// <summary>An NFS server's nfsd threads (<c>nfs.threads</c>): requests beyond them wait in order.</summary>
    public int NfsThreads { get; init; } = 4;

    /// <summary>An NFS server starts with the served files in its buffer cache (<c>nfs.warm-cache</c>); else it reads them from its disk.</summary>
    public bool NfsWarmCache { get; init; }

    /// <summary>Kernel text at guest-physical page 0, kernel data after it.</summary>
    public int KernelTextPages { get; init; } = 128;

    public int KernelDataPages { get; init; } = 256;

    /// <summary>Privileged instructions with side effects on the exception entry path (they trap under the monitor).</summary>
    public int EntryPrivileged { get; init; } = 5;

    /// <summary>Privileged instructions with side effects on the exception exit path, the return included.</summary>
    public int ExitPrivileged { get; init; } = 3;

    /// <summary>Cost of each <see cref="KernelCode"/>, by its number (the calibrated values of config/akka.hocon's guest.paths).</summary>
    public PathCost[] Paths { get; init; } =
    [
        new(60, 4), new(40, 4), new(5, 0), new(60, 2), new(3860, 24), new(500, 8), new(7000, 60), new(2500, 24), new(200, 2),
        new(38000, 200), new(5000, 40), new(4000, 24), new(200, 4), new(400, 6), new(500, 8), new(1500, 16), new(1500, 16), new(10, 0),
        new(3080, 26),
    ];

    public PathCost Path(KernelCode code) => Paths[(int)code];

    public long MemoryPages => MemoryBytes >> GuestLayout.PageShift;

    public int KernelPages => KernelTextPages + KernelDataPages;

    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (MemoryPages < KernelPages + 64)
        {
            yield return ("memory-mb", $"leaves no room for processes: the kernel alone takes {KernelPages} pages (got {MemoryPages} pages)");
        }

        if (Processors is < 1 or > 64 || SemaphoreLatencyPs < 1)
        {
            yield return ("smp.processors", $"must be 1-64 with a positive smp.semaphore-latency (got {Processors}, {SemaphoreLatencyPs} ps)");
        }

        if (AffinityStealPs < 0)
        {
            yield return ("smp.affinity-steal", $"must be 0 or more (got {AffinityStealPs} ps)");
        }

        if (RunQueueLatencyPs < 1)
        {
            yield return ("smp.runqueue-latency", $"must be positive (got {RunQueueLatencyPs} ps)");
        }

        if (TimeSlicePs <= 0)
        {
            yield return ("time-slice", $"must be positive (got {TimeSlicePs} ps)");
        }

        if (KernelTextPages < CodeCount || KernelDataPages < 32)
        {
            yield return ("kernel-text-kb", $"kernel text must be at least {CodeCount * 4} KB and data at least 128 KB");
        }

        if (EntryPrivileged is < 0 or > 64 || ExitPrivileged is < 1 or > 64)
        {
            yield return ("privileged", "entry must be 0-64 and exit 1-64 (the return from exception is privileged)");
        }

        if (Paths.Length > (int)KernelCode.Stat
            && (Path(KernelCode.Stat).Instructions > Path(KernelCode.Open).Instructions || Path(KernelCode.Stat).DataLines > Path(KernelCode.Open).DataLines))
        {
            yield return ("paths.stat", $"is the lookup part of open's path: at most open's instructions and data-lines (got {Path(KernelCode.Stat).Instructions}, {Path(KernelCode.Stat).DataLines}; open has {Path(KernelCode.Open).Instructions}, {Path(KernelCode.Open).DataLines})");
        }

        for (int i = 0; i < Paths.Length; i++)
        {
            if (Paths[i].Instructions is < 1 or > 1_000_000 || Paths[i].DataLines is < 0 or > 4096)
            {
                yield return ($"paths.{CodeKeys[i]}", $"instructions must be 1-1000000 and data-lines 0-4096 (got {Paths[i].Instructions}, {Paths[i].DataLines})");
            }
        }
    }
}
