namespace Disco.Actors.Hardware.Tlb;

/// <summary>
/// One MIPS TLB entry: an even/odd pair of 4 KB virtual pages of one address space (ASID), each half mapped to a
/// machine page or invalid (-1), each writable or not (a store to a read-only half traps: copy-on-write, dirty bits).
/// </summary>
public readonly record struct TlbEntry(long VirtualPair, int Asid, long EvenPage, bool EvenWritable, long OddPage, bool OddWritable)
{
    public const int MaxAsid = 255;

    /// <summary>The pair a virtual address falls in: address / 8 KB.</summary>
    public static long PairOf(long virtualAddress) => virtualAddress >> (Machine.MachineConstants.PageShift + 1);

    public static bool IsOdd(long virtualAddress) => ((virtualAddress >> Machine.MachineConstants.PageShift) & 1) != 0;
}
