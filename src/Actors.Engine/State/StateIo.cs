using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.State;

/// <summary>
/// One declaration of a component's state, after SST's <c>serialize_order</c>: a component lists each changing field
/// once (<c>io.Long("cylinder", ref _cylinder, 0, max)</c>, <c>io.Counter("hw.disk.requests", ref _requests)</c>), and
/// that one list saves it, loads it back with its bounds checked, and reports its counters. Adding a counter is one
/// line; a field left out of the list is caught by the round-trip tests, not forgotten silently.
/// </summary>
public ref partial struct StateIo
{
    // Held by value: a ref struct cannot hold a ref to another. The caller hands its writer or reader in and takes it
    // back with Finish (Component.SaveState and LoadState do), so the buffered bytes and the read position carry over.
    private StateWriter _writer;
    private StateReader _reader;
    private readonly IStatsSink? _sink;
    private readonly Mode _mode;

    private enum Mode
    {
        Save,
        Load,
        Report,
    }

    private StateIo(StateWriter writer, StateReader reader, IStatsSink? sink, Mode mode)
    {
        _writer = writer;
        _reader = reader;
        _sink = sink;
        _mode = mode;
    }

    /// <summary>Saves into <paramref name="writer"/>; afterwards take it back with <see cref="FinishSaving"/>.</summary>
    public static StateIo Saving(StateWriter writer) => new(writer, default, null, Mode.Save);

    /// <summary>Loads from <paramref name="reader"/>; afterwards take it back with <see cref="FinishLoading"/>.</summary>
    public static StateIo Loading(StateReader reader) => new(default, reader, null, Mode.Load);

    public static StateIo Reporting(IStatsSink sink) => new(default, default, sink ?? throw new ArgumentNullException(nameof(sink)), Mode.Report);

    /// <summary>The writer with everything written so far.</summary>
    public readonly StateWriter FinishSaving() => _mode == Mode.Save ? _writer : throw new InvalidOperationException("not saving");

    /// <summary>The reader positioned after everything read so far.</summary>
    public readonly StateReader FinishLoading() => _mode == Mode.Load ? _reader : throw new InvalidOperationException("not loading");

    public readonly bool IsSaving => _mode == Mode.Save;

    /// <summary>True while loading: a declaration may rebuild derived (unsaved) indexes after its fields.</summary>
    public readonly bool IsLoading => _mode == Mode.Load;

    public readonly bool IsReporting => _mode == Mode.Report;

    /// <summary>The writer, for the rare field with an encoding of its own (saving only).</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ref StateWriter Writer => ref _writer;

    /// <summary>The reader, for the rare field with an encoding of its own (loading only).</summary>
    [System.Diagnostics.CodeAnalysis.UnscopedRef]
    public ref StateReader Reader => ref _reader;

    public void Long(string name, ref long value, long min = long.MinValue, long max = long.MaxValue)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(value);
                break;
            case Mode.Load:
                value = _reader.ReadLong(name, min, max);
                break;
        }
    }

    public void Int(string name, ref int value, int min = int.MinValue, int max = int.MaxValue)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(value);
                break;
            case Mode.Load:
                value = _reader.ReadInt(name, min, max);
                break;
        }
    }

    public void Byte(string name, ref byte value, byte min = byte.MinValue, byte max = byte.MaxValue)
    {
        int v = value;
        Int(name, ref v, min, max);
        value = (byte)v;
    }

    public void ULong(string name, ref ulong value)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(value);
                break;
            case Mode.Load:
                value = _reader.ReadULong(name);
                break;
        }
    }

    public void Bool(string name, ref bool value)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(value);
                break;
            case Mode.Load:
                value = _reader.ReadBool(name);
                break;
        }
    }

    public void Double(string name, ref double value)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(value);
                break;
            case Mode.Load:
                value = _reader.ReadDouble(name);
                if (!double.IsFinite(value))
                {
                    throw new CorruptStateException($"{name}: {value} is not a finite number");
                }

                break;
        }
    }

    /// <summary>An enum, stored as its number; loading accepts only a defined value.</summary>
    public void Enum<T>(string name, ref T value)
        where T : struct, Enum
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case Mode.Load:
                long raw = _reader.ReadLong(name);
                var parsed = (T)System.Enum.ToObject(typeof(T), raw);
                value = System.Enum.IsDefined(parsed) ? parsed : throw new CorruptStateException($"{name}: {raw} is not a {typeof(T).Name}");
                break;
        }
    }

    /// <summary>A value of a type that reads and writes itself (a typed id with its own bounds).</summary>
    public void Value<T>(string name, ref T value)
        where T : IStateValue<T>
    {
        switch (_mode)
        {
            case Mode.Save:
                value.Write(ref _writer);
                break;
            case Mode.Load:
                value = T.Read(ref _reader, name);
                break;
        }
    }

    /// <summary>A count of something that happened: checkpointed (never negative) and reported as statistic <paramref name="stat"/>.</summary>
    public void Counter(string stat, ref long value)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(value);
                break;
            case Mode.Load:
                value = _reader.ReadLong(stat, 0, long.MaxValue);
                break;
            case Mode.Report:
                _sink!.Add(stat, value);
                break;
        }
    }

    /// <summary>
    /// Counters indexed by an enum (time buckets, services): checkpointed as one array of exactly the enum's size and
    /// reported as <c>{prefix}.{name}</c> for each, with the names the enum's <paramref name="names"/> give.
    /// </summary>
    public void Counters(string prefix, long[] values, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(names);
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(values.AsSpan());
                break;
            case Mode.Load:
                _reader.ReadLongsInto(prefix, values);
                foreach (long v in values)
                {
                    if (v < 0)
                    {
                        throw new CorruptStateException($"{prefix}: negative count {v}");
                    }
                }

                break;
            case Mode.Report:
                for (int i = 0; i < values.Length; i++)
                {
                    _sink!.Add($"{prefix}.{names[i]}", values[i]);
                }

                break;
        }
    }

    /// <summary>A fixed-size array (its length comes from the configuration, not from the checkpoint).</summary>
    public void Longs(string name, long[] values, long min = long.MinValue, long max = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(values);
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(values.AsSpan());
                break;
            case Mode.Load:
                _reader.ReadLongsInto(name, values);
                CheckRange(name, values, min, max);
                break;
        }
    }

    /// <summary>A fixed-size array of whole numbers.</summary>
    public void Ints(string name, int[] values, int min = int.MinValue, int max = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(values);
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(values.AsSpan());
                break;
            case Mode.Load:
                int[] read = _reader.ReadIntArray(name, values.Length);
                if (read.Length != values.Length)
                {
                    throw new CorruptStateException($"{name}: {read.Length} values, expected {values.Length}");
                }

                foreach (int v in read)
                {
                    if (v < min || v > max)
                    {
                        throw new CorruptStateException($"{name}: {v} outside [{min}, {max}]");
                    }
                }

                read.CopyTo(values, 0);
                break;
        }
    }

    /// <summary>A generator's four words of state; loading rejects the all-zero state, from which it never leaves.</summary>
    public void Generator(string name, ref SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (s0, s1, s2, s3) = random.State;
        ULong(name, ref s0);
        ULong(name, ref s1);
        ULong(name, ref s2);
        ULong(name, ref s3);
        if (IsLoading)
        {
            random = (s0 | s1 | s2 | s3) != 0 ? new SimRandom(s0, s1, s2, s3) : throw new CorruptStateException($"{name}: generator state is all zero");
        }
    }

    /// <summary>A part that declares its own state (and counters): saved, loaded and reported in place.</summary>
    public void Part(IStateful part)
    {
        ArgumentNullException.ThrowIfNull(part);
        part.DeclareState(ref this);
    }

    /// <summary>A pending message (a queued request): its kind, then its fields.</summary>
    public void Message<T>(string name, ref T message)
        where T : class, ISimMessage
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(message);
                break;
            case Mode.Load:
                message = _reader.ReadMessage(name) as T ?? throw new CorruptStateException($"{name}: not a {typeof(T).Name}");
                break;
        }
    }

    private static void CheckRange(string name, long[] values, long min, long max)
    {
        foreach (long v in values)
        {
            if (v < min || v > max)
            {
                throw new CorruptStateException($"{name}: {v} outside [{min}, {max}]");
            }
        }
    }
}
