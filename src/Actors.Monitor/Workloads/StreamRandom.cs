using System.Runtime.CompilerServices;
using Disco.Actors.Engine.Components;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// <see cref="SimRandom"/>'s xoshiro256** held by value inside a synthetic stream, so that its draws (several per
/// operation) inline into the stream's code instead of calling through another object. The same words and the same
/// arithmetic: every draw equals <see cref="SimRandom"/>'s; a checkpoint saves it as a <see cref="SimRandom"/>.
/// </summary>
internal struct StreamRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public static StreamRandom From(SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (s0, s1, s2, s3) = random.State;
        return new StreamRandom { _s0 = s0, _s1 = s1, _s2 = s2, _s3 = s3 };
    }

    public readonly SimRandom ToSimRandom() => new(_s0, _s1, _s2, _s3);

    /// <summary>
    /// The integer form of "<see cref="NextDouble"/> &lt; <paramref name="probability"/>" for <see cref="Below"/>: a
    /// draw is m · 2^-53 with m an integer below 2^53, so it is below p exactly when m &lt; ⌈p · 2^53⌉ (the scaling by
    /// a power of two is exact). Saves the conversion to double on draws that are only compared.
    /// </summary>
    public static ulong Threshold(double probability)
    {
        const double Scale = 1UL << 53;
        if (!(probability > 0))
        {
            return 0;
        }

        double scaled = probability * Scale;
        return scaled >= Scale ? 1UL << 53 : (ulong)Math.Ceiling(scaled);
    }

    /// <summary>One draw: true exactly when <see cref="NextDouble"/> would have been below the threshold's probability.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Below(ulong threshold) => (NextUInt64() >> 11) < threshold;

    /// <summary>Uniform in [0, 1) with 53 random bits (<see cref="SimRandom.NextDouble"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    // SimRandom.NextUInt64's arithmetic, written out again on purpose: one shared static step taking the four words
    // by reference measured 8-15% slower on uniprocessor pmake (user CPU time, same digest), here and in SimRandom.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong NextUInt64()
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
        return result;
    }
}
