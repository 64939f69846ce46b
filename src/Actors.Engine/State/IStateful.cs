namespace Disco.Actors.Engine.State;

/// <summary>A part of a component's state that declares its own fields (a cache, a TLB, a guest process).</summary>
public interface IStateful
{
    /// <summary>Lists every changing field once, in one order: see <see cref="StateIo"/>.</summary>
    void DeclareState(ref StateIo io);
}
