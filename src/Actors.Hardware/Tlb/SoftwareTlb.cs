using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Tlb;

/// <summary>
/// A fully associative, software-refilled TLB (MIPS R10000 style: 64 entries of even/odd page pairs, tagged by
/// ASID). A miss is not handled here: the processor traps to whoever is in control, whose handler writes an entry.
/// Replacement is MIPS's "random" write: the victim index comes from a free-running counter the caller supplies.
/// </summary>
public sealed class SoftwareTlb : IStateful
{
    /// <summary>Returned by <see cref="Translate"/>: no valid mapping (refill trap).</summary>
    public const long Miss = -1;

    /// <summary>Returned by <see cref="Translate"/>: a store to a read-only page (TLB modified trap).</summary>
    public const long ReadOnly = -2;

    // An entry's tag: its virtual page pair and ASID in one number, as MIPS's EntryHi holds them (see Tag), so the
    // lookup every load, store and fetch makes compares one array, not two; -1 marks an empty entry. The typed
    // (pair, ASID) is what goes in and comes out (TlbEntry); the number never leaves this class.
    private readonly long[] _tags;

    // Entry i's even page at 2i, its odd page at 2i + 1: the half an address falls in is an index, not a branch (the
    // parity of the pages a stream touches is close to random, and a mispredicted branch per access costs more than
    // the lookup). Saved as two arrays, even then odd, as MIPS's EntryLo0 and EntryLo1.
    private readonly long[] _pages;
    private readonly int[] _writable;  // bit 0: even half, bit 1: odd half

    // Where a tag was last found, by a hash of the tag: a lookup tries there before scanning every entry. A pure cache
    // of positions (every use checks the tag), so it changes no result and is not part of the state.
    [Transient("a cache of positions: every use checks the tag")]
    private readonly int[] _lastIndex = new int[256];

    public SoftwareTlb(int entries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 1);
        _tags = new long[entries];
        _pages = new long[2 * entries];
        _writable = new int[entries];
        Array.Fill(_tags, -1L);
    }

    public int Entries => _tags.Length;

    public int ValidEntries => _tags.Count(k => k >= 0);

    /// <summary>
    /// The machine address of <paramref name="virtualAddress"/> in address space <paramref name="asid"/>, or
    /// <see cref="Miss"/> / <see cref="ReadOnly"/>. <paramref name="hint"/> remembers the last entry that hit for this
    /// stream (instructions, data): consecutive accesses mostly fall in one page pair.
    /// </summary>
    public long Translate(long virtualAddress, int asid, bool store, ref int hint)
    {
        long tag = Tag(TlbEntry.PairOf(virtualAddress), asid);
        int i = hint;
        if (_tags[i] != tag)
        {
            i = IndexOf(tag);
            if (i < 0)
            {
                return Miss;
            }

            hint = i;
        }

        int half = (int)(virtualAddress >> MachineConstants.PageShift) & 1; // 1: the odd page of the pair
        long page = _pages[(2 * i) + half];
        if (page < 0)
        {
            return Miss;
        }

        // A store needs the half's writable bit, a load nothing: (bit of the half) times store, without a branch on either.
        int need = (store ? 1 : 0) << half;
        if ((_writable[i] & need) != need)
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

        long tag = Tag(entry.VirtualPair, entry.Asid);
        int i = IndexOf(tag);
        if (i < 0)
        {
            i = (int)((ulong)randomTick % (ulong)_tags.Length);
        }

        _tags[i] = tag;
        _pages[2 * i] = entry.EvenPage;
        _pages[(2 * i) + 1] = entry.OddPage;
        _writable[i] = (entry.EvenWritable ? 1 : 0) | (entry.OddWritable ? 2 : 0);
        return i;
    }

    /// <summary>Drops the entry of one virtual pair in one address space (a shootdown). True if there was one.</summary>
    public bool Invalidate(long virtualPair, int asid)
    {
        int i = IndexOf(Tag(virtualPair, asid));
        if (i >= 0)
        {
            _tags[i] = -1;
        }

        return i >= 0;
    }

    public void FlushAll() => Array.Fill(_tags, -1L);

    /// <summary>The valid entries, in index order (for invariant checks, not for the hot path).</summary>
    public IEnumerable<TlbEntry> Contents()
    {
        for (int i = 0; i < _tags.Length; i++)
        {
            if (_tags[i] >= 0)
            {
                yield return new TlbEntry(PairOf(_tags[i]), AsidOf(_tags[i]), _pages[2 * i], (_writable[i] & 1) != 0, _pages[(2 * i) + 1], (_writable[i] & 2) != 0);
            }
        }
    }

    public void FlushAsid(int asid)
    {
        for (int i = 0; i < _tags.Length; i++)
        {
            if (_tags[i] >= 0 && AsidOf(_tags[i]) == asid)
            {
                _tags[i] = -1;
            }
        }
    }

    /// <summary>Every entry, empty ones too (the "random" replacement index depends on where each sits).</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Longs("tlb tags", _tags, -1);
        long[] even = new long[_tags.Length], odd = new long[_tags.Length];
        for (int i = 0; io.IsSaving && i < _tags.Length; i++)
        {
            even[i] = _pages[2 * i];
            odd[i] = _pages[(2 * i) + 1];
        }

        io.Longs("tlb even pages", even, -1);
        io.Longs("tlb odd pages", odd, -1);
        for (int i = 0; io.IsLoading && i < _tags.Length; i++)
        {
            _pages[2 * i] = even[i];
            _pages[(2 * i) + 1] = odd[i];
        }

        io.Ints("tlb writable", _writable, 0, 3);
    }

    private static long Tag(long pair, int asid) => (pair << 8) | (uint)asid;

    private static long PairOf(long tag) => tag >> 8;

    private static int AsidOf(long tag) => (int)(tag & TlbEntry.MaxAsid);

    private int IndexOf(long tag)
    {
        var tags = _tags;
        int h = (int)((ulong)(tag * unchecked((long)0x9E3779B97F4A7C15UL)) >> 56);
        int guess = _lastIndex[h];
        if (tags[guess] == tag)
        {
            return guess;
        }

        for (int i = 0; i < tags.Length; i++)
        {
            if (tags[i] == tag)
            {
                _lastIndex[h] = i;
                return i;
            }
        }

        return -1;
    }
}
