using System.Buffers;
using MessagePack;

namespace Disco.Actors.Engine.State;

/// <summary>
/// Reads what <see cref="StateWriter"/> wrote. Every malformed, truncated or out-of-range value becomes a
/// <see cref="CorruptStateException"/> naming what was being read, never a crash or a silently wrong state.
/// </summary>
public ref struct StateReader
{
    private MessagePackReader _reader;
    private readonly MessageCatalog? _messages;

    public StateReader(ReadOnlyMemory<byte> input, MessageCatalog? messages = null)
    {
        _reader = new MessagePackReader(input);
        _messages = messages;
    }

    public StateReader(in ReadOnlySequence<byte> input, MessageCatalog? messages = null)
    {
        _reader = new MessagePackReader(input);
        _messages = messages;
    }

    public bool End => _reader.End;

    public long Consumed => _reader.Consumed;

    public long ReadLong(string what) => Guard(what, static (ref MessagePackReader r) => r.ReadInt64());

    public int ReadInt(string what) => Guard(what, static (ref MessagePackReader r) => r.ReadInt32());

    public ulong ReadULong(string what) => Guard(what, static (ref MessagePackReader r) => r.ReadUInt64());

    public bool ReadBool(string what) => Guard(what, static (ref MessagePackReader r) => r.ReadBoolean());

    public double ReadDouble(string what) => Guard(what, static (ref MessagePackReader r) => r.ReadDouble());

    public string? ReadString(string what) => Guard(what, static (ref MessagePackReader r) => r.ReadString());

    public byte[] ReadBytes(string what, int maxLength)
    {
        var seq = Guard(what, static (ref MessagePackReader r) => r.ReadBytes());
        if (seq is null)
        {
            return [];
        }

        return seq.Value.Length > maxLength ? throw new CorruptStateException($"{what}: {seq.Value.Length} bytes, at most {maxLength} allowed") : seq.Value.ToArray();
    }

    /// <summary>Reads a count and checks it is in [0, <paramref name="max"/>] before anyone allocates for it.</summary>
    public int ReadCount(string what, int max)
    {
        int n = Guard(what, static (ref MessagePackReader r) => r.ReadArrayHeader());
        return n < 0 || n > max ? throw new CorruptStateException($"{what}: count {n} outside [0, {max}]") : n;
    }

    /// <summary>A whole number that must lie in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long ReadLong(string what, long min, long max)
    {
        long v = ReadLong(what);
        return v < min || v > max ? throw new CorruptStateException($"{what}: {v} outside [{min}, {max}]") : v;
    }

    public int ReadInt(string what, int min, int max) => (int)ReadLong(what, min, max);

    public long[] ReadLongArray(string what, int maxLength)
    {
        int n = ReadCount(what, maxLength);
        var values = new long[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = ReadLong(what);
        }

        return values;
    }

    /// <summary>Reads an array of exactly <paramref name="into"/>'s length into it (fixed-size counters and buckets).</summary>
    public void ReadLongsInto(string what, Span<long> into)
    {
        long[] values = ReadLongArray(what, into.Length);
        if (values.Length != into.Length)
        {
            throw new CorruptStateException($"{what}: {values.Length} values, expected {into.Length}");
        }

        values.CopyTo(into);
    }

    public int[] ReadIntArray(string what, int maxLength)
    {
        int n = ReadCount(what, maxLength);
        var values = new int[n];
        for (int i = 0; i < n; i++)
        {
            values[i] = ReadInt(what);
        }

        return values;
    }

    /// <summary>Reads a message written by <see cref="StateWriter.Write(Components.ISimMessage)"/>.</summary>
    public Components.ISimMessage ReadMessage(string what)
    {
        var catalog = _messages ?? throw new InvalidOperationException("this reader has no message catalog");
        int kind = ReadInt(what + " kind");
        return catalog.Read(kind, ref this, what);
    }

    private delegate T Read<T>(ref MessagePackReader reader);

    private T Guard<T>(string what, Read<T> read)
    {
        try
        {
            return read(ref _reader);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException)
        {
            throw new CorruptStateException($"{what}: {ex.Message}", ex);
        }
    }
}
