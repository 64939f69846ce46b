using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Caches;

/// <summary>
/// Tags, one state byte per line (0 = invalid; the owner gives the other values meaning) and true LRU per set.
/// Works on line addresses (address &gt;&gt; line shift) and returns slots (set × associativity + way) so that callers
/// read and change a line's state without a second lookup.
/// </summary>
public sealed class SetAssociativeCache
{
    public const byte Invalid = 0;

    private readonly long[] _tags;
    private readonly byte[] _states;
    private readonly long[] _lastUse;
    private readonly int _ways;
    private readonly long _setMask;
    private long _clock;

    public SetAssociativeCache(CacheGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Geometry = geometry;
        _ways = geometry.Associativity;
        _setMask = geometry.Sets - 1;
        _tags = new long[geometry.Lines];
        _states = new byte[geometry.Lines];
        _lastUse = new long[geometry.Lines];
    }

    public CacheGeometry Geometry { get; }

    public int Slots => _tags.Length;

    /// <summary>The slot holding <paramref name="line"/> (valid), or -1.</summary>
    public int Find(long line)
    {
        int first = (int)(line & _setMask) * _ways;
        int end = first + _ways;
        for (int s = first; s < end; s++)
        {
            if (_tags[s] == line && _states[s] != Invalid)
            {
                return s;
            }
        }

        return -1;
    }

    /// <summary>Marks the slot most recently used.</summary>
    public void Touch(int slot) => _lastUse[slot] = ++_clock;

    public byte StateAt(int slot) => _states[slot];

    public long LineAt(int slot) => _tags[slot];

    public void SetState(int slot, byte state) => _states[slot] = state;

    /// <summary>Where <paramref name="line"/> would go: an invalid way of its set if any, else the least recently used.</summary>
    public int Victim(long line)
    {
        int first = (int)(line & _setMask) * _ways;
        int best = first;
        for (int s = first; s < first + _ways; s++)
        {
            if (_states[s] == Invalid)
            {
                return s;
            }

            if (_lastUse[s] < _lastUse[best])
            {
                best = s;
            }
        }

        return best;
    }

    /// <summary>An invalid way of the line's set, or -1 when every way is valid.</summary>
    public int FreeWay(long line)
    {
        int first = (int)(line & _setMask) * _ways;
        for (int s = first; s < first + _ways; s++)
        {
            if (_states[s] == Invalid)
            {
                return s;
            }
        }

        return -1;
    }

    public void Install(int slot, long line, byte state)
    {
        _tags[slot] = line;
        _states[slot] = state;
        _lastUse[slot] = ++_clock;
    }

    public void Invalidate(int slot) => _states[slot] = Invalid;

    public int ValidLines()
    {
        int n = 0;
        foreach (byte s in _states)
        {
            n += s != Invalid ? 1 : 0;
        }

        return n;
    }

    /// <summary>Valid lines only, by slot: a cold cache saves little.</summary>
    public void Save(ref StateWriter writer)
    {
        writer.Write(_clock);
        writer.WriteCount(ValidLines());
        for (int s = 0; s < _tags.Length; s++)
        {
            if (_states[s] != Invalid)
            {
                writer.Write(s);
                writer.Write(_tags[s]);
                writer.Write((int)_states[s]);
                writer.Write(_lastUse[s]);
            }
        }
    }

    public void Load(ref StateReader reader, string what, byte maxState)
    {
        _clock = reader.ReadLong(what + " clock", 0, long.MaxValue);
        Array.Clear(_states);
        Array.Clear(_tags);
        Array.Clear(_lastUse);
        int n = reader.ReadCount(what + " lines", _tags.Length);
        int previous = -1;
        for (int i = 0; i < n; i++)
        {
            int slot = reader.ReadInt(what + " slot", previous + 1, _tags.Length - 1);
            long line = reader.ReadLong(what + " line", 0, long.MaxValue);
            if ((line & _setMask) != slot / _ways)
            {
                throw new CorruptStateException($"{what}: line {line} cannot sit in slot {slot}");
            }

            _tags[slot] = line;
            _states[slot] = (byte)reader.ReadInt(what + " state", 1, maxState);
            _lastUse[slot] = reader.ReadLong(what + " last use", 0, _clock);
            previous = slot;
        }
    }
}
