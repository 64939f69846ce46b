namespace Disco.Actors.Engine.State;

/// <summary>A value (typically a typed id) that writes itself and reads itself back with its own bounds checked.</summary>
public interface IStateValue<TSelf>
    where TSelf : IStateValue<TSelf>
{
    void Write(ref StateWriter writer);

    static abstract TSelf Read(ref StateReader reader, string what);
}
