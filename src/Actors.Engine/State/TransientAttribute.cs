namespace Disco.Actors.Engine.State;

/// <summary>
/// Marks a field that is deliberately not checkpointed: a lookup hint or scratch buffer whose value never changes what
/// the component does (a resumed run takes the same decisions with it reset). The reason is required; the
/// state-coverage tests skip such fields and hold every other one to the declaration.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class TransientAttribute(string why) : Attribute
{
    public string Why { get; } = why;
}
