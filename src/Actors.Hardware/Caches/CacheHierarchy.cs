using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Caches;

/// <summary>What a processor does to memory.</summary>
public enum AccessKind : byte
{
    Fetch,
    Load,
    Store,
}

/// <summary>Where an access was satisfied, or what the L2 must ask its home directory for.</summary>
public enum AccessResult : byte
{
    L1Hit,
    L2Hit,

    /// <summary>Not in the L2: read (or read-exclusive for a store) from the home.</summary>
    Miss,

    /// <summary>A store to a line the L2 holds shared: ask the home for exclusive ownership.</summary>
    Upgrade,
}

/// <summary>MESI states of an L2 line (the coherence unit).</summary>
public enum L2State : byte
{
    Invalid = 0,
    Shared = 1,
    Exclusive = 2,
    Modified = 3,
}

/// <summary>
/// Split L1 instruction and data caches over a unified L2 that includes them. Coherence permission lives in the L2
/// (MESI); an L1 data line remembers whether its L2 line may be written (so a store hit needs no L2 lookup) and
/// whether it has been written. Pure state: the processor and the property tests drive it.
/// </summary>
public sealed class CacheHierarchy : IStateful
{
    // L1 data line states: readable only, writable (L2 exclusive or modified), written since the fill.
    private const byte L1ReadOnly = 1;
    private const byte L1Writable = 2;
    private const byte L1Dirty = 3;

    private readonly int _l1Shift;
    private readonly int _l2Shift;
    private readonly int _l1PerL2;
    private long _l1iMisses;
    private long _l1dMisses;
    private long _l1Writebacks;

    public CacheHierarchy(CacheGeometry l1, CacheGeometry l2)
    {
        ArgumentNullException.ThrowIfNull(l1);
        ArgumentNullException.ThrowIfNull(l2);
        L1I = new SetAssociativeCache(l1, "l1i", L1ReadOnly);
        L1D = new SetAssociativeCache(l1, "l1d", L1Dirty);
        L2 = new SetAssociativeCache(l2, "l2", (byte)L2State.Modified);
        _l1Shift = l1.LineShift;
        _l2Shift = l2.LineShift;
        _l1PerL2 = 1 << (_l2Shift - _l1Shift);
    }

    public SetAssociativeCache L1I { get; }

    public SetAssociativeCache L1D { get; }

    public SetAssociativeCache L2 { get; }

    public long L1IMisses => _l1iMisses;

    public long L1DMisses => _l1dMisses;

    public long L1Writebacks => _l1Writebacks;

    public int L2LineShift => _l2Shift;

    public long LineOf(long address) => address >> _l2Shift;

    public L2State StateOf(long line)
    {
        int slot = L2.Find(line);
        return slot < 0 ? L2State.Invalid : (L2State)L2.StateAt(slot);
    }

    /// <summary>One access by machine address. Hits update LRU and MESI (exclusive → modified on a store).</summary>
    public AccessResult Access(long address, AccessKind kind)
    {
        if (kind == AccessKind.Fetch)
        {
            int islot = L1I.Find(address >> _l1Shift);
            if (islot >= 0)
            {
                L1I.Touch(islot);
                return AccessResult.L1Hit;
            }

            _l1iMisses++;
            int l2slot = L2.Find(address >> _l2Shift);
            if (l2slot < 0)
            {
                return AccessResult.Miss;
            }

            L2.Touch(l2slot);
            FillL1(L1I, address >> _l1Shift, L1ReadOnly);
            return AccessResult.L2Hit;
        }

        long l1line = address >> _l1Shift;
        int slot = L1D.Find(l1line);
        if (slot >= 0)
        {
            byte s = L1D.StateAt(slot);

            // One branch, mostly taken, instead of one on the kind first: loads and stores come in random order.
            if ((kind == AccessKind.Load) | (s == L1Dirty))
            {
                L1D.Touch(slot);
                return AccessResult.L1Hit;
            }

            if (s == L1ReadOnly)
            {
                return AccessResult.Upgrade;
            }

            // First store to a writable line: the L2 line becomes modified.
            L1D.Touch(slot);
            L1D.SetState(slot, L1Dirty);
            L2.SetState(L2.Find(address >> _l2Shift), (byte)L2State.Modified);
            return AccessResult.L1Hit;
        }

        _l1dMisses++;
        int l2 = L2.Find(address >> _l2Shift);
        if (l2 < 0)
        {
            return AccessResult.Miss;
        }

        var state = (L2State)L2.StateAt(l2);
        if (kind == AccessKind.Store)
        {
            if (state == L2State.Shared)
            {
                return AccessResult.Upgrade;
            }

            L2.SetState(l2, (byte)L2State.Modified);
        }

        L2.Touch(l2);
        FillL1(L1D, l1line, kind == AccessKind.Store ? L1Dirty : state == L2State.Shared ? L1ReadOnly : L1Writable);
        return AccessResult.L2Hit;
    }

    /// <summary>
    /// Makes room in the L2 for a miss on <paramref name="line"/> (nothing to do for an upgrade, whose line is
    /// present). Returns the evicted line if it was modified (it must be written back), else -1.
    /// </summary>
    public long PrepareFill(long line)
    {
        if (L2.Find(line) >= 0)
        {
            return -1;
        }

        int slot = L2.Victim(line);
        byte victimState = L2.StateAt(slot);
        if (victimState == (byte)L2State.Invalid)
        {
            return -1;
        }

        long victim = L2.LineAt(slot);
        DropFromL1s(victim);
        L2.Invalidate(slot);
        return victimState == (byte)L2State.Modified ? victim : -1;
    }

    /// <summary>
    /// Installs the home's reply for the access that missed: <paramref name="exclusive"/> grants E (M for a store),
    /// else S. The L1 line of <paramref name="address"/> is filled too.
    /// </summary>
    public void CompleteFill(long address, AccessKind kind, bool exclusive)
    {
        long line = address >> _l2Shift;
        var state = !exclusive ? L2State.Shared : kind == AccessKind.Store ? L2State.Modified : L2State.Exclusive;
        int slot = L2.Find(line);
        if (slot >= 0)
        {
            L2.SetState(slot, (byte)state);
            L2.Touch(slot);
            DropFromL1s(line); // an upgrade: the old read-only L1 copies are refilled below with their new rights
        }
        else
        {
            slot = L2.FreeWay(line);
            if (slot < 0)
            {
                throw new InvalidOperationException($"no way reserved in the L2 for line {line:x}: PrepareFill was not called");
            }

            L2.Install(slot, line, (byte)state);
        }

        if (kind == AccessKind.Fetch)
        {
            FillL1(L1I, address >> _l1Shift, L1ReadOnly);
        }
        else
        {
            FillL1(L1D, address >> _l1Shift, kind == AccessKind.Store ? L1Dirty : state == L2State.Shared ? L1ReadOnly : L1Writable);
        }
    }

    /// <summary>Drops the line from every level. Returns its L2 state before (Invalid if it was not held).</summary>
    public L2State Invalidate(long line)
    {
        int slot = L2.Find(line);
        if (slot < 0)
        {
            return L2State.Invalid;
        }

        var before = (L2State)L2.StateAt(slot);
        DropFromL1s(line);
        L2.Invalidate(slot);
        return before;
    }

    /// <summary>Keeps a shared copy of an exclusive or modified line. Returns its L2 state before.</summary>
    public L2State Downgrade(long line)
    {
        int slot = L2.Find(line);
        if (slot < 0)
        {
            return L2State.Invalid;
        }

        var before = (L2State)L2.StateAt(slot);
        L2.SetState(slot, (byte)L2State.Shared);
        long first = line << (_l2Shift - _l1Shift);
        for (int i = 0; i < _l1PerL2; i++)
        {
            int s = L1D.Find(first + i);
            if (s >= 0)
            {
                L1D.SetState(s, L1ReadOnly);
            }
        }

        return before;
    }

    /// <summary>The three caches, then the L1 counters (reported as the hierarchy's statistics).</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Part(L1I);
        io.Part(L1D);
        io.Part(L2);
        io.Counter("hw.l1i.misses", ref _l1iMisses);
        io.Counter("hw.l1d.misses", ref _l1dMisses);
        io.Counter("hw.l1.writebacks", ref _l1Writebacks);
    }

    private void FillL1(SetAssociativeCache l1, long l1line, byte state)
    {
        int slot = l1.Victim(l1line);
        if (l1.StateAt(slot) == L1Dirty)
        {
            _l1Writebacks++; // into the L2, which is already modified: no traffic beyond the L2
        }

        l1.Install(slot, l1line, state);
    }

    private void DropFromL1s(long line)
    {
        long first = line << (_l2Shift - _l1Shift);
        for (int i = 0; i < _l1PerL2; i++)
        {
            int s = L1I.Find(first + i);
            if (s >= 0)
            {
                L1I.Invalidate(s);
            }

            s = L1D.Find(first + i);
            if (s >= 0)
            {
                L1D.Invalidate(s);
            }
        }
    }
}
