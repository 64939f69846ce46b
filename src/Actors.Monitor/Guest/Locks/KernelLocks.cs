namespace Disco.Actors.Monitor.Guest;

/// <summary>The SMP guest kernel's locks on its VM subsystem.</summary>
public static class KernelLocks
{
    /// <summary>
    /// The spin lock on the memory-management structures: page-table updates, fork, exec, exit [D 5.5]. A word of
    /// the kernel's data the processors take through their caches (<c>KernelCodeWriter.MemlockWord</c>).
    /// </summary>
    public const int Memlock = 0;

    /// <summary>
    /// The semaphore of a region shared by the threads of one program: IRIX holds it across a whole fault on the
    /// region (zeroing included), so threads that fault on one region at once serialize (PARAMETERS.md, radix).
    /// </summary>
    public const int RegionSemaphore = 1;

    public const int Count = 2;
}
