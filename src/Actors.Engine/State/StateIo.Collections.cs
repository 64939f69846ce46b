namespace Disco.Actors.Engine.State;

/// <summary>Collections: arrays, lists, queues, sets, maps and optional items, each with its bound on load.</summary>
public ref partial struct StateIo
{
    /// <summary>A variable-length array of at most <paramref name="maxLength"/> values, each in [min, max].</summary>
    public void LongArray(string name, ref long[] values, int maxLength, long min = long.MinValue, long max = long.MaxValue)
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.Write(values.AsSpan());
                break;
            case Mode.Load:
                values = _reader.ReadLongArray(name, maxLength);
                CheckRange(name, values, min, max);
                break;
        }
    }

    /// <summary>A list whose items declare themselves through <paramref name="item"/>; loading replaces its contents.</summary>
    public void List<T>(string name, List<T> list, int maxCount, ItemIo<T> item)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(item);
        switch (_mode)
        {
            case Mode.Save:
                _writer.WriteCount(list.Count);
                for (int i = 0; i < list.Count; i++)
                {
                    var v = list[i];
                    item(ref this, ref v);
                }

                break;
            case Mode.Load:
                list.Clear();
                int n = _reader.ReadCount(name, maxCount);
                for (int i = 0; i < n; i++)
                {
                    T v = default!;
                    item(ref this, ref v);
                    list.Add(v);
                }

                break;
        }
    }

    /// <summary>A FIFO queue, saved front first.</summary>
    public void Queue<T>(string name, Queue<T> queue, int maxCount, ItemIo<T> item)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(item);
        switch (_mode)
        {
            case Mode.Save:
                _writer.WriteCount(queue.Count);
                foreach (var q in queue)
                {
                    var v = q;
                    item(ref this, ref v);
                }

                break;
            case Mode.Load:
                queue.Clear();
                int n = _reader.ReadCount(name, maxCount);
                for (int i = 0; i < n; i++)
                {
                    T v = default!;
                    item(ref this, ref v);
                    queue.Enqueue(v);
                }

                break;
        }
    }

    /// <summary>A set of whole numbers, each in [min, max], saved in the set's own order.</summary>
    public void Set(string name, ISet<long> set, int maxCount, long min = long.MinValue, long max = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(set);
        switch (_mode)
        {
            case Mode.Save:
                _writer.WriteCount(set.Count);
                foreach (long v in set)
                {
                    _writer.Write(v);
                }

                break;
            case Mode.Load:
                set.Clear();
                int n = _reader.ReadCount(name, maxCount);
                for (int i = 0; i < n; i++)
                {
                    if (!set.Add(_reader.ReadLong(name, min, max)))
                    {
                        throw new CorruptStateException($"{name}: a value appears twice");
                    }
                }

                break;
        }
    }

    /// <summary>A map saved in its own enumeration order (a sorted map in key order); loading replaces its contents.</summary>
    public void Map<TKey, TValue>(string name, IDictionary<TKey, TValue> map, int maxCount, ItemIo<TKey> key, ItemIo<TValue> value)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        switch (_mode)
        {
            case Mode.Save:
                _writer.WriteCount(map.Count);
                foreach (var (k0, v0) in map)
                {
                    var (k, v) = (k0, v0);
                    key(ref this, ref k);
                    value(ref this, ref v);
                }

                break;
            case Mode.Load:
                map.Clear();
                int n = _reader.ReadCount(name, maxCount);
                for (int i = 0; i < n; i++)
                {
                    TKey k = default!;
                    TValue v = default!;
                    key(ref this, ref k);
                    value(ref this, ref v);
                    if (!map.TryAdd(k, v))
                    {
                        throw new CorruptStateException($"{name}: key {k} appears twice");
                    }
                }

                break;
        }
    }

    /// <summary>A map of whole numbers to whole numbers, keys and values each in their range.</summary>
    public void LongMap(string name, IDictionary<long, long> map, int maxCount, long keyMin = long.MinValue, long keyMax = long.MaxValue, long valueMin = long.MinValue, long valueMax = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(map);
        switch (_mode)
        {
            case Mode.Save:
                _writer.WriteCount(map.Count);
                foreach (var (k, v) in map)
                {
                    _writer.Write(k);
                    _writer.Write(v);
                }

                break;
            case Mode.Load:
                map.Clear();
                int n = _reader.ReadCount(name, maxCount);
                for (int i = 0; i < n; i++)
                {
                    long k = _reader.ReadLong(name + " key", keyMin, keyMax);
                    if (!map.TryAdd(k, _reader.ReadLong(name, valueMin, valueMax)))
                    {
                        throw new CorruptStateException($"{name}: key {k} appears twice");
                    }
                }

                break;
        }
    }

    /// <summary>A reference that may be null (a request in service, a process on a processor).</summary>
    public void Optional<T>(string name, ref T? value, ItemIo<T> item)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(item);
        bool present = value is not null;
        Bool(name, ref present);
        if (_mode == Mode.Report)
        {
            return;
        }

        if (!present)
        {
            value = null;
            return;
        }

        T v = value!;
        item(ref this, ref v);
        value = v;
    }

    /// <summary>An array of typed ids of at most <paramref name="maxLength"/> items.</summary>
    public void Values<T>(string name, ref T[] values, int maxLength)
        where T : IStateValue<T>
    {
        switch (_mode)
        {
            case Mode.Save:
                _writer.WriteCount(values.Length);
                foreach (var v in values)
                {
                    v.Write(ref _writer);
                }

                break;
            case Mode.Load:
                values = new T[_reader.ReadCount(name, maxLength)];
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = T.Read(ref _reader, name);
                }

                break;
        }
    }

    /// <summary>
    /// A hash map keyed by whole numbers in [<paramref name="keyMin"/>, <paramref name="keyMax"/>], saved in key order
    /// (its own order depends on the history of insertions, which a loaded map does not share).
    /// </summary>
    public void SortedMap<TValue>(string name, Dictionary<long, TValue> map, int maxCount, long keyMin, long keyMax, ItemIo<TValue> value)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (IsReporting)
        {
            return;
        }

        var sorted = IsSaving ? new SortedDictionary<long, TValue>(map) : new SortedDictionary<long, TValue>();
        string keyName = name + " key";
        Map(name, sorted, maxCount, (ref StateIo inner, ref long k) => inner.Long(keyName, ref k, keyMin, keyMax), value);
        if (IsLoading)
        {
            map.Clear();
            foreach (var (k, v) in sorted)
            {
                map.Add(k, v);
            }
        }
    }
}
