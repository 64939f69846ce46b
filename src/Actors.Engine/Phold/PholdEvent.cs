using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Phold;

/// <summary>PHOLD's only message. It carries nothing: who sent it and when is all the model needs.</summary>
public sealed record PholdEvent : ISimMessage
{
    public const int KindCode = 1;

    public static PholdEvent Instance { get; } = new();

    public int Kind => KindCode;

    public ulong ContentHash() => 0;

    public void Write(ref StateWriter writer)
    {
    }

    public static ISimMessage Read(ref StateReader reader) => Instance;
}
