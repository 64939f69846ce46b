namespace Disco.Actors.Engine.Components;

/// <summary>
/// A timed message between components. Immutable. Its <see cref="Kind"/> is a stable number (it enters the digest
/// and names the type in checkpoints and on the wire), and <see cref="ContentHash"/> a stable hash of its payload:
/// never <c>GetHashCode</c>, which may differ between processes. <see cref="Write"/> lists its fields for
/// checkpoints and for batches between processes; the model's <see cref="State.MessageCatalog"/> reads them back.
/// </summary>
public interface ISimMessage
{
    int Kind { get; }

    ulong ContentHash();

    /// <summary>Writes the fields (not the kind) in the order the registered reader reads them.</summary>
    void Write(ref State.StateWriter writer);
}
