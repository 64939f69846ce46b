namespace Disco.Actors.Engine.Determinism;

/// <summary>
/// Order-sensitive 64-bit folding used for run digests and message content hashes. Stable across processes and
/// platforms (integer arithmetic only), unlike <c>GetHashCode</c>.
/// </summary>
public static class Digest
{
    public const ulong Seed = 0x243F_6A88_85A3_08D3; // digits of pi: any fixed non-zero start

    /// <summary>The SplitMix64 finalizer: a cheap bijective mixer with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EB;
        return z ^ (z >> 31);
    }

    /// <summary>Folds <paramref name="value"/> into <paramref name="accumulator"/>; the order of folds matters.</summary>
    public static ulong Fold(ulong accumulator, ulong value) => Mix(accumulator + 0x9E37_79B9_7F4A_7C15 + value) ^ (accumulator >> 7);

    public static ulong Fold(ulong accumulator, long value) => Fold(accumulator, unchecked((ulong)value));

    public static ulong Of(long a) => Fold(Seed, a);

    public static ulong Of(long a, long b) => Fold(Fold(Seed, a), b);

    public static ulong Of(long a, long b, long c) => Fold(Fold(Fold(Seed, a), b), c);

    public static ulong Of(long a, long b, long c, long d) => Fold(Fold(Fold(Fold(Seed, a), b), c), d);

    /// <summary>One handled message, as the engine folds it into the handling component's digest.</summary>
    public static ulong OfEvent(long timePs, int sender, long sequence, int kind, ulong contentHash)
    {
        ulong h = Fold(Seed, timePs);
        h = Fold(h, ((ulong)(uint)sender << 32) | (uint)kind);
        h = Fold(h, sequence);
        return Fold(h, contentHash);
    }

    public static string ToHex(ulong digest) => digest.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
