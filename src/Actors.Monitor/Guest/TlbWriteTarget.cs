namespace Disco.Actors.Monitor.Guest;

/// <summary>The argument of a guest TLB write: the entry for this (ASID, virtual page) from the guest's tables.</summary>
public readonly record struct TlbWriteTarget(int Asid, long Vpn)
{
    private const int AsidBits = 8;
    private const long AsidMask = (1L << AsidBits) - 1;

    /// <summary>As the privileged operation's argument.</summary>
    public long Encode() => (Vpn << AsidBits) | (uint)Asid;

    public static TlbWriteTarget Decode(long argument) => new((int)(argument & AsidMask), argument >> AsidBits);
}
