using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.State;

/// <summary>Reads one message's fields (its kind is already read).</summary>
public delegate ISimMessage MessageReader(ref StateReader reader);

/// <summary>
/// The message kinds a model uses and how to read each back: what checkpoints and cross-process batches need to
/// turn bytes into messages again. Each project registers its own protocols; a kind may be registered once.
/// </summary>
public sealed class MessageCatalog
{
    private readonly Dictionary<int, (Type Type, MessageReader Reader)> _readers = [];

    public MessageCatalog Register<T>(int kind, MessageReader reader)
        where T : ISimMessage
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (_readers.TryGetValue(kind, out var existing) && existing.Type != typeof(T))
        {
            throw new ArgumentException($"message kind {kind} is already {existing.Type.Name}, cannot also be {typeof(T).Name}");
        }

        _readers[kind] = (typeof(T), reader);
        return this;
    }

    /// <summary>Registers a message record read back by its primary constructor (<see cref="RecordCodec"/>).</summary>
    public MessageCatalog Register<T>(int kind)
        where T : ISimMessage => Register<T>(kind, RecordCodec.ReaderOf<T>());

    public bool Knows(int kind) => _readers.ContainsKey(kind);

    public IEnumerable<(int Kind, Type Type)> Kinds => _readers.Select(kv => (kv.Key, kv.Value.Type));

    internal ISimMessage Read(int kind, ref StateReader reader, string what) =>
        _readers.TryGetValue(kind, out var entry)
            ? entry.Reader(ref reader)
            : throw new CorruptStateException($"{what}: unknown message kind {kind}");
}
