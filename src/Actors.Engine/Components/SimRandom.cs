using Disco.Actors.Engine.Determinism;

namespace Disco.Actors.Engine.Components;

/// <summary>
/// A component's own random number generator (xoshiro256**), seeded from (run seed, component id). Its four words
/// of state are part of the component's checkpoint, so a resumed run draws the same numbers.
/// </summary>
public sealed class SimRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public SimRandom(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("xoshiro256** state must not be all zero");
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    public static SimRandom ForComponent(long runSeed, ComponentId id)
    {
        // SplitMix64 expands (seed, id) into a well-mixed state, as xoshiro's authors recommend.
        ulong x = Digest.Of(runSeed, id.Value);
        return new SimRandom(Next(ref x), Next(ref x), Next(ref x), Next(ref x));

        static ulong Next(ref ulong x)
        {
            x += 0x9E37_79B9_7F4A_7C15;
            return Digest.Mix(x);
        }
    }

    public (ulong S0, ulong S1, ulong S2, ulong S3) State => (_s0, _s1, _s2, _s3);

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, bound), without modulo bias (Lemire's method).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "bound must be positive");
        }

        ulong m = (ulong)(uint)NextUInt64() * (uint)bound;
        uint low = (uint)m;
        if (low < (uint)bound)
        {
            uint threshold = (uint)-bound % (uint)bound;
            while (low < threshold)
            {
                m = (ulong)(uint)NextUInt64() * (uint)bound;
                low = (uint)m;
            }
        }

        return (int)(m >> 32);
    }

    /// <summary>Exponentially distributed with the given mean, in whole picoseconds.</summary>
    public long NextExponentialPs(double meanPs) => (long)Math.Round(-Math.Log(1.0 - NextDouble()) * meanPs);
}
