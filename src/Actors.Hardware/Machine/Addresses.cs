using System.Globalization;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Machine;

/// <summary>A FLASH node: one processor, one node controller (directory + memory), a slice of machine memory.</summary>
public readonly record struct NodeId([Bounds(0, MachineConstants.MaxNodes - 1)] int Value)
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A 4 KB page of machine memory; its home node is <c>Value / pages per node</c> (consecutive pages per node).</summary>
public readonly record struct MachinePage([Bounds(0, long.MaxValue)] long Value)
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A coherence unit: a machine address divided by the L2 line size (128 B on FLASH).</summary>
public readonly record struct LineAddress([Bounds(0, long.MaxValue)] long Value)
{
    public override string ToString() => "0x" + Value.ToString("x", CultureInfo.InvariantCulture);
}

/// <summary>The fixed sizes every part of the machine agrees on.</summary>
public static class MachineConstants
{
    /// <summary>MIPS base page: Disco maps only 4 KB pages [D 5.2].</summary>
    public const int PageShift = 12;

    public const int PageSizeBytes = 1 << PageShift;

    /// <summary>Full bit-vector directory: one bit per node in a 64-bit word.</summary>
    public const int MaxNodes = 64;

    /// <summary>
    /// The unmapped, cached kernel segment (MIPS KSEG0): a stream allowed to use it (a kernel on bare hardware, the
    /// monitor) reaches machine address <c>va - Kseg0Base</c> without the TLB. Far above every user address.
    /// </summary>
    public const long Kseg0Base = 0x4000_0000_0000L;

    /// <summary>Bytes of machine memory KSEG0 can reach.</summary>
    public const long Kseg0Bytes = 1L << 40;

    /// <summary>True when <paramref name="virtualAddress"/> lies in KSEG0.</summary>
    public static bool InKseg0(long virtualAddress) => (ulong)(virtualAddress - Kseg0Base) < (ulong)Kseg0Bytes;
}
