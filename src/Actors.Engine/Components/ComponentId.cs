using System.Globalization;

namespace Disco.Actors.Engine.Components;

/// <summary>Dense index of a component in its model: 0..N-1. Also the tie-breaker of event order.</summary>
public readonly record struct ComponentId(int Value)
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
