namespace Disco.Actors.Engine.Components;

/// <summary>
/// A timed message between components. Immutable. Its <see cref="Kind"/> is a stable number (it enters the digest
/// and names the type in checkpoints and on the wire), and <see cref="ContentHash"/> a stable hash of its payload:
/// never <c>GetHashCode</c>, which may differ between processes.
/// </summary>
public interface ISimMessage
{
    int Kind { get; }

    ulong ContentHash();
}
