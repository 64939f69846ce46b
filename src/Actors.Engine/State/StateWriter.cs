using System.Buffers;
using MessagePack;

namespace Disco.Actors.Engine.State;

/// <summary>
/// Writes a component's state (or a message) in MessagePack's compact binary encoding. A component lists its
/// changing fields in one place, in one order (SST's <c>serialize_order</c>); <see cref="StateReader"/> reads them
/// back in the same order with every length and count checked.
/// </summary>
public ref struct StateWriter
{
    private MessagePackWriter _writer;

    public StateWriter(IBufferWriter<byte> output) => _writer = new MessagePackWriter(output);

    public void Write(long value) => _writer.Write(value);

    public void Write(int value) => _writer.Write(value);

    public void Write(ulong value) => _writer.Write(value);

    public void Write(bool value) => _writer.Write(value);

    public void Write(double value) => _writer.Write(value);

    public void Write(string? value) => _writer.Write(value);

    public void Write(ReadOnlySpan<byte> bytes) => _writer.Write(bytes);

    /// <summary>A count that the reader will check against its limit before it allocates anything.</summary>
    public void WriteCount(int count) => _writer.WriteArrayHeader(count);

    public void Write(ReadOnlySpan<long> values)
    {
        _writer.WriteArrayHeader(values.Length);
        foreach (long v in values)
        {
            _writer.Write(v);
        }
    }

    public void Write(ReadOnlySpan<int> values)
    {
        _writer.WriteArrayHeader(values.Length);
        foreach (int v in values)
        {
            _writer.Write(v);
        }
    }

    /// <summary>Writes a message as its kind followed by its fields.</summary>
    public void Write(Components.ISimMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _writer.Write(message.Kind);
        message.Write(ref this);
    }

    public void Flush() => _writer.Flush();
}
