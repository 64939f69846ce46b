using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Processor;

/// <summary>Processor → itself: the quantum it computed ahead is over; run the next one.</summary>
public sealed record BurstEnd : ISimMessage
{
    public static BurstEnd Instance { get; } = new();

    public int Kind => HardwareMessageKinds.BurstEnd;

    public ulong ContentHash() => (ulong)Kind;
}

/// <summary>
/// Processor → itself: a spin on a lock word has lasted a quantum: look again, and let the supervisor schedule (a
/// spinner must not keep its processor from the lock's holder). Stale unless <see cref="Sequence"/> is the current spin's.
/// </summary>
public sealed record SpinCheck(long Sequence) : ISimMessage
{
    public int Kind => HardwareMessageKinds.SpinCheck;

    public ulong ContentHash() => Digest.Of(Kind, Sequence);
}
