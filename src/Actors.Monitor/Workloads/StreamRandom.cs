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

    /// <summary>Uniform in [0, 1) with 53 random bits (<see cref="SimRandom.NextDouble"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble()
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
        return (result >> 11) * (1.0 / (1UL << 53));
    }
}
