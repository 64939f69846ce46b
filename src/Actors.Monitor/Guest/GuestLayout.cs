using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// Where things live in a guest's address spaces. User regions are the same in every process (their pages are
/// private, or file-backed and shared through the buffer cache); the kernel reaches physical memory through KSEG0
/// on bare hardware and through a mapped segment under the monitor (Disco relinks the kernel there [D 4.3]), and
/// reaches page tables through a mapped page-table segment in both cases (so a page-table load can miss: the slow
/// refill).
/// </summary>
public static class GuestLayout
{
    public const int PageShift = MachineConstants.PageShift;
    public const int PageBytes = MachineConstants.PageSizeBytes;

    /// <summary>ASID of the kernel's own mappings (page tables, the relocated kernel segment); processes use 1..254.</summary>
    public const int KernelAsid = 0;

    public const int MaxProcesses = 254;

    /// <summary>Program text: file-backed, read-only, shared by every process running the program.</summary>
    public const long TextBase = 0x0040_0000;

    /// <summary>Heap and stack: anonymous, demand-zero.</summary>
    public const long DataBase = 0x1000_0000;

    /// <summary>The process's I/O buffer (read and write copy through it): anonymous.</summary>
    public const long BufferBase = 0x3000_0000;

    /// <summary>A file mapped shared by every process of the workload (raytrace's scene): file-backed, read-only.</summary>
    public const long SharedBase = 0x4000_0000;

    /// <summary>End of the user address space.</summary>
    public const long UserTop = 0x8000_0000;

    /// <summary>The relocated kernel segment under the monitor: guest-physical page p at MappedKernelBase + p × 4 KB.</summary>
    public const long MappedKernelBase = 0x5000_0000_0000L;

    /// <summary>Page tables: process slot s's table at PageTableBase + s × PageTableSpan, 8 bytes per user page.</summary>
    public const long PageTableBase = 0x6000_0000_0000L;

    public const long PageTableSpan = (UserTop >> PageShift) * 8;

    public static bool IsUser(long va) => va >= 0 && va < UserTop;

    public static bool IsPageTable(long va) => va >= PageTableBase && va < PageTableBase + (PageTableSpan * (MaxProcesses + 1));

    public static bool IsMappedKernel(long va) => va >= MappedKernelBase && va < PageTableBase;

    /// <summary>Virtual address of the PTE of user page <paramref name="vpn"/> of the process in slot <paramref name="asid"/>.</summary>
    public static long PteAddress(int asid, long vpn) => PageTableBase + (asid * PageTableSpan) + (vpn * 8);

    /// <summary>The (asid, index of the page-table page) a page-table virtual page belongs to.</summary>
    public static (int Asid, long TablePage) PageTablePage(long vpn)
    {
        long offset = (vpn << PageShift) - PageTableBase;
        return ((int)(offset / PageTableSpan), (offset % PageTableSpan) >> PageShift);
    }
}
