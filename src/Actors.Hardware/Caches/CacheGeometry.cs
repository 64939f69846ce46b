using System.Numerics;

namespace Disco.Actors.Hardware.Caches;

/// <summary>Size, associativity and line size of one cache; every figure a power of two.</summary>
public sealed record CacheGeometry(long SizeBytes, int Associativity, int LineBytes)
{
    public int Lines => (int)(SizeBytes / LineBytes);

    public int Sets => Lines / Associativity;

    public int LineShift => BitOperations.Log2((uint)LineBytes);

    /// <summary>Every problem with these values (empty when valid), each naming the field it concerns.</summary>
    public IEnumerable<(string Field, string Problem)> Problems()
    {
        if (SizeBytes <= 0 || !BitOperations.IsPow2(SizeBytes) || SizeBytes > (1L << 30))
        {
            yield return ("size-kb", $"must be a power of two between 1 KB and 1 GB (got {SizeBytes} bytes)");
        }

        if (LineBytes < 8 || !BitOperations.IsPow2(LineBytes) || LineBytes > 4096)
        {
            yield return ("line-bytes", $"must be a power of two between 8 and 4096 (got {LineBytes})");
        }

        if (Associativity < 1 || !BitOperations.IsPow2(Associativity) || Associativity > 64)
        {
            yield return ("associativity", $"must be a power of two between 1 and 64 (got {Associativity})");
        }
        else if (SizeBytes > 0 && LineBytes > 0 && SizeBytes < (long)LineBytes * Associativity)
        {
            yield return ("size-kb", $"holds fewer than one set of {Associativity} lines of {LineBytes} B");
        }
    }
}
