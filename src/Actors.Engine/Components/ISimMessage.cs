namespace Disco.Actors.Engine.Components;

/// <summary>
/// A timed message between components. Immutable. Its <see cref="Kind"/> is a stable number (it enters the digest
/// and names the type in checkpoints and on the wire), and <see cref="ContentHash"/> a stable hash of its payload:
/// never <c>GetHashCode</c>, which may differ between processes. Checkpoints and batches between processes carry
/// its fields: by default those of its primary constructor (<see cref="State.RecordCodec"/>), read back by the model's
/// <see cref="State.MessageCatalog"/>.
/// </summary>
public interface ISimMessage
{
    int Kind { get; }

    ulong ContentHash();

    /// <summary>Writes the fields (not the kind) in the order the registered reader reads them.</summary>
    void Write(ref State.StateWriter writer) => State.RecordCodec.Of(GetType()).Write(this, ref writer);
}
