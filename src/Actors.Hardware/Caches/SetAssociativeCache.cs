using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Caches;

/// <summary>
/// Tags, one state byte per line (0 = invalid; the owner gives the other values meaning) and true LRU per set.
/// Works on line addresses (address &gt;&gt; line shift) and returns slots (set × associativity + way) so that callers
/// read and change a line's state without a second lookup. An invalid slot's tag is <see cref="NoLine"/> (no line
/// address is negative), so a lookup compares tags only.
/// </summary>
public sealed class SetAssociativeCache : IStateful
{
    public const byte Invalid = 0;

    // The tag of an invalid slot: never equal to a line address (they are >= 0).
    private const long NoLine = -1;

    private readonly long[] _tags;
    private readonly byte[] _states;
    private readonly long[] _lastUse;
    private readonly int _ways;
    private readonly int _waysShift;
    private readonly long _setMask;
    private readonly string _name;
    private readonly ItemIo<CachedLine> _lineIo;
    private long _clock;

    /// <param name="name">What a checkpoint calls it ("l2").</param>
    /// <param name="maxState">The highest state byte its owner uses (checked on load).</param>
    public SetAssociativeCache(CacheGeometry geometry, string name = "cache", byte maxState = byte.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        Geometry = geometry;
        _name = name;
        _ways = geometry.Associativity;
        _waysShift = BitOperations.Log2((uint)_ways);
        _setMask = geometry.Sets - 1;
        if (_ways != 1 << _waysShift || geometry.Sets != 1 << BitOperations.Log2((uint)geometry.Sets))
        {
            throw new ArgumentException($"{name}: associativity {_ways} and sets {geometry.Sets} must be powers of two", nameof(geometry));
        }

        _tags = new long[geometry.Lines];
        Array.Fill(_tags, NoLine);
        _states = new byte[geometry.Lines];
        _lastUse = new long[geometry.Lines];
        int maxSlot = _tags.Length - 1;
        string slotName = name + " slot", lineName = name + " line", stateName = name + " state", lastUseName = name + " last use";
        _lineIo = (ref StateIo io, ref CachedLine l) =>
        {
            int slot = l.Slot;
            long line = l.Line;
            byte state = l.State;
            long lastUse = l.LastUse;
            io.Int(slotName, ref slot, 0, maxSlot);
            io.Long(lineName, ref line, 0);
            io.Byte(stateName, ref state, 1, maxState);
            io.Long(lastUseName, ref lastUse, 0, _clock);
            l = new CachedLine(slot, line, state, lastUse);
        };
    }

    public CacheGeometry Geometry { get; }

    public int Slots => _tags.Length;

    /// <summary>The slot holding <paramref name="line"/> (valid), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(long line)
    {
        // Every lookup of every access: no bounds checks (the set's slots are inside the arrays: the mask and the
        // shift come from the geometry that sized them), and a 2-way set, the machine's, without a loop.
        int first = (int)(line & _setMask) << _waysShift;
        ref long tags = ref MemoryMarshal.GetArrayDataReference(_tags);
        if (_ways == 2)
        {
            // Which way holds the line is close to random: select it without a branch (a line sits in one way at most).
            int way1 = Unsafe.Add(ref tags, first + 1) == line ? 1 : 0;
            int found = (Unsafe.Add(ref tags, first) == line ? 1 : 0) | way1;
            return found != 0 ? first + way1 : -1;
        }

        int end = first + _ways;
        for (int s = first; s < end; s++)
        {
            if (Unsafe.Add(ref tags, s) == line)
            {
                return s;
            }
        }

        return -1;
    }

    /// <summary>Marks the slot most recently used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Touch(int slot) => _lastUse[slot] = ++_clock;

    public byte StateAt(int slot) => _states[slot];

    /// <summary>The line a valid slot holds.</summary>
    public long LineAt(int slot) => _states[slot] != Invalid ? _tags[slot] : throw new InvalidOperationException($"{_name}: slot {slot} holds no line");

    public void SetState(int slot, byte state)
    {
        if (state == Invalid)
        {
            Invalidate(slot);
            return;
        }

        _states[slot] = state;
    }

    /// <summary>Where <paramref name="line"/> would go: an invalid way of its set if any, else the least recently used.</summary>
    public int Victim(long line)
    {
        int first = (int)(line & _setMask) << _waysShift;
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
        int first = (int)(line & _setMask) << _waysShift;
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

    /// <summary>An invalid slot holds nothing: no victim choice or lookup reads its tag or age, and a checkpoint keeps only valid lines.</summary>
    public void Invalidate(int slot)
    {
        _states[slot] = Invalid;
        _tags[slot] = NoLine;
        _lastUse[slot] = 0;
    }

    public int ValidLines()
    {
        int n = 0;
        foreach (byte s in _states)
        {
            n += s != Invalid ? 1 : 0;
        }

        return n;
    }

    /// <summary>The LRU clock, then the valid lines only, by slot: a cold cache saves little.</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Long(_name + " clock", ref _clock, 0);
        if (io.IsReporting)
        {
            return;
        }

        var lines = new List<CachedLine>();
        for (int s = 0; io.IsSaving && s < _tags.Length; s++)
        {
            if (_states[s] != Invalid)
            {
                lines.Add(new CachedLine(s, _tags[s], _states[s], _lastUse[s]));
            }
        }

        io.List(_name + " lines", lines, _tags.Length, _lineIo);
        if (io.IsLoading)
        {
            Restore(lines);
        }
    }

    private void Restore(List<CachedLine> lines)
    {
        Array.Clear(_states);
        Array.Fill(_tags, NoLine);
        Array.Clear(_lastUse);
        int previous = -1;
        foreach (var (slot, line, state, lastUse) in lines)
        {
            if (slot <= previous || (line & _setMask) != slot / _ways)
            {
                throw new CorruptStateException($"{_name}: line {line} cannot sit in slot {slot}");
            }

            _tags[slot] = line;
            _states[slot] = state;
            _lastUse[slot] = lastUse;
            previous = slot;
        }
    }

    private readonly record struct CachedLine(int Slot, long Line, byte State, long LastUse);
}
