using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Tlb;

/// <summary>
/// A fully associative, software-refilled TLB (MIPS R10000 style: 64 entries of even/odd page pairs, tagged by
/// ASID). A miss is not handled here: the processor traps to whoever is in control, whose handler writes an entry.
/// Replacement is MIPS's "random" write: the victim index comes from a free-running counter the caller supplies.
/// </summary>
public sealed class SoftwareTlb
{
    /// <summary>Returned by <see cref="Translate"/>: no valid mapping (refill trap).</summary>
    public const long Miss = -1;

    /// <summary>Returned by <see cref="Translate"/>: a store to a read-only page (TLB modified trap).</summary>
    public const long ReadOnly = -2;

    private readonly long[] _keys;      // (pair << 8) | asid; -1 when the entry is empty
    private readonly long[] _even;
    private readonly long[] _odd;
    private readonly byte[] _writable;  // bit 0: even half, bit 1: odd half

    // Where a key was last found, by a hash of the key: a lookup tries there before scanning every entry. A pure cache
    // of positions (every use checks the key), so it changes no result and is not part of the state.
    private readonly int[] _lastIndex = new int[256];

    public SoftwareTlb(int entries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 1);
        _keys = new long[entries];
        _even = new long[entries];
        _odd = new long[entries];
        _writable = new byte[entries];
        Array.Fill(_keys, -1L);
    }

    public int Entries => _keys.Length;

    public int ValidEntries => _keys.Count(k => k >= 0);

    /// <summary>
    /// The machine address of <paramref name="virtualAddress"/> in address space <paramref name="asid"/>, or
    /// <see cref="Miss"/> / <see cref="ReadOnly"/>. <paramref name="hint"/> remembers the last entry that hit for this
    /// stream (instructions, data): consecutive accesses mostly fall in one page pair.
    /// </summary>
    public long Translate(long virtualAddress, int asid, bool store, ref int hint)
    {
        long key = (TlbEntry.PairOf(virtualAddress) << 8) | (uint)asid;
        int i = hint;
        if (_keys[i] != key)
        {
            i = IndexOf(key);
            if (i < 0)
            {
                return Miss;
            }

            hint = i;
        }

        bool odd = TlbEntry.IsOdd(virtualAddress);
        long page = odd ? _odd[i] : _even[i];
        if (page < 0)
        {
            return Miss;
        }

        if (store && (_writable[i] & (odd ? 2 : 1)) == 0)
        {
            return ReadOnly;
        }

        return (page << MachineConstants.PageShift) | (virtualAddress & (MachineConstants.PageSizeBytes - 1));
    }

    /// <summary>
    /// Writes an entry: over the entry of the same pair and ASID if there is one (a refill of its other half, a
    /// permission change), else at the "random" index <paramref name="randomTick"/> mod entries.
    /// </summary>
    public int Write(in TlbEntry entry, long randomTick)
    {
        if (entry.Asid is < 0 or > TlbEntry.MaxAsid)
        {
            throw new ArgumentOutOfRangeException(nameof(entry), entry.Asid, "ASID must be in [0, 255]");
        }

        long key = (entry.VirtualPair << 8) | (uint)entry.Asid;
        int i = IndexOf(key);
        if (i < 0)
        {
            i = (int)((ulong)randomTick % (ulong)_keys.Length);
        }

        _keys[i] = key;
        _even[i] = entry.EvenPage;
        _odd[i] = entry.OddPage;
        _writable[i] = (byte)((entry.EvenWritable ? 1 : 0) | (entry.OddWritable ? 2 : 0));
        return i;
    }

    /// <summary>Drops the entry of one virtual pair in one address space (a shootdown). True if there was one.</summary>
    public bool Invalidate(long virtualPair, int asid)
    {
        int i = IndexOf((virtualPair << 8) | (uint)asid);
        if (i >= 0)
        {
            _keys[i] = -1;
        }

        return i >= 0;
    }

    public void FlushAll() => Array.Fill(_keys, -1L);

    /// <summary>The valid entries, in index order (for invariant checks, not for the hot path).</summary>
    public IEnumerable<TlbEntry> Contents()
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] >= 0)
            {
                yield return new TlbEntry(_keys[i] >> 8, (int)(_keys[i] & 0xFF), _even[i], (_writable[i] & 1) != 0, _odd[i], (_writable[i] & 2) != 0);
            }
        }
    }

    public void FlushAsid(int asid)
    {
        for (int i = 0; i < _keys.Length; i++)
        {
            if (_keys[i] >= 0 && (_keys[i] & 0xFF) == asid)
            {
                _keys[i] = -1;
            }
        }
    }

    public void Save(ref StateWriter writer)
    {
        writer.WriteCount(_keys.Length);
        for (int i = 0; i < _keys.Length; i++)
        {
            writer.Write(_keys[i]);
            writer.Write(_even[i]);
            writer.Write(_odd[i]);
            writer.Write((int)_writable[i]);
        }
    }

    public void Load(ref StateReader reader)
    {
        int n = reader.ReadCount("tlb entries", _keys.Length);
        if (n != _keys.Length)
        {
            throw new CorruptStateException($"tlb: {n} entries saved, this machine has {_keys.Length}");
        }

        for (int i = 0; i < n; i++)
        {
            _keys[i] = reader.ReadLong("tlb key", -1, long.MaxValue);
            _even[i] = reader.ReadLong("tlb even page", -1, long.MaxValue);
            _odd[i] = reader.ReadLong("tlb odd page", -1, long.MaxValue);
            _writable[i] = (byte)reader.ReadInt("tlb writable", 0, 3);
        }
    }

    private int IndexOf(long key)
    {
        var keys = _keys;
        int h = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15UL)) >> 56);
        int guess = _lastIndex[h];
        if (keys[guess] == key)
        {
            return guess;
        }

        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] == key)
            {
                _lastIndex[h] = i;
                return i;
            }
        }

        return -1;
    }
}
