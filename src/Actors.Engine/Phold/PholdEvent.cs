using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.Phold;

/// <summary>PHOLD's only message. It carries nothing: who sent it and when is all the model needs.</summary>
public sealed record PholdEvent : ISimMessage
{
    public const int KindCode = 1;

    public static PholdEvent Instance { get; } = new();

    public int Kind => KindCode;

    public ulong ContentHash() => 0;
}
