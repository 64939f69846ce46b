using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Processor;

/// <summary>Processor → itself: the quantum it computed ahead is over; run the next one.</summary>
public sealed record BurstEnd : ISimMessage
{
    public static BurstEnd Instance { get; } = new();

    public int Kind => HardwareMessageKinds.BurstEnd;

    public ulong ContentHash() => (ulong)Kind;
}
