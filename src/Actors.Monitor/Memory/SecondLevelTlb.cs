using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The monitor's second-level software TLB of one VCPU [D 4.2.2]: a direct-mapped cache of (ASID, virtual page) →
/// (machine page, writable), filled on every emulated TLB write. A hardware TLB miss looks here first; a hit is
/// refilled by the monitor without entering the guest. It survives the hardware TLB flush of a VCPU switch.
/// </summary>
public sealed class SecondLevelTlb : IStateful
{
    private const int NoAsid = -1;

    // State (checkpointed, in this order): per slot the tag (ASID, or NoAsid when empty, and virtual page) and the translation.
    private readonly int[] _asids;
    private readonly long[] _vpns;
    private readonly long[] _machinePages;
    private readonly bool[] _writable;

    public SecondLevelTlb(int entries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 1);
        _asids = new int[entries];
        _vpns = new long[entries];
        _machinePages = new long[entries];
        _writable = new bool[entries];
        Array.Fill(_asids, NoAsid);
    }

    public int Entries => _asids.Length;

    /// <summary>Slots that hold a translation.</summary>
    public int ValidEntries => _asids.Count(a => a != NoAsid);

    /// <summary>Every translation held, as (ASID, virtual page, machine page, writable), in slot order.</summary>
    public IEnumerable<(int Asid, long Vpn, long MachinePage, bool Writable)> Translations()
    {
        for (int i = 0; i < _asids.Length; i++)
        {
            if (_asids[i] != NoAsid)
            {
                yield return (_asids[i], _vpns[i], _machinePages[i], _writable[i]);
            }
        }
    }

    /// <summary>
    /// Fibonacci hashing of the tag: the product's high bits mix every bit of its input (its low bits only the input's
    /// low bits). The input is the virtual page above the 8-bit ASID, one number for the hash only.
    /// </summary>
    private int Slot(int asid, long vpn)
    {
        long hashInput = (vpn << 8) | (uint)asid;
        return (int)((((ulong)hashInput * 0x9E3779B97F4A7C15UL) >> 32) % (ulong)_asids.Length);
    }

    /// <summary>The slot (ASID, virtual page) maps to: where the monitor's lookup reads and its insert writes.</summary>
    public int SlotOf(int asid, long vpn) => Slot(asid, vpn);

    public void Insert(int asid, long vpn, long machinePage, bool writable)
    {
        if (machinePage < 0)
        {
            return;
        }

        int i = Slot(asid, vpn);
        _asids[i] = asid;
        _vpns[i] = vpn;
        _machinePages[i] = machinePage;
        _writable[i] = writable;
    }

    public bool TryLookup(int asid, long vpn, out long machinePage, out bool writable)
    {
        int i = Slot(asid, vpn);
        if (_asids[i] == asid && _vpns[i] == vpn)
        {
            machinePage = _machinePages[i];
            writable = _writable[i];
            return true;
        }

        machinePage = -1;
        writable = false;
        return false;
    }

    /// <summary>Forgets everything (a guest page was remapped: its translations may be anywhere).</summary>
    public void FlushAll() => Array.Fill(_asids, NoAsid);

    /// <summary>Forgets every translation to one of <paramref name="machinePages"/> (a shootdown: their mapping changed).</summary>
    public void Invalidate(IReadOnlyCollection<long> machinePages)
    {
        ArgumentNullException.ThrowIfNull(machinePages);
        for (int i = 0; i < _asids.Length; i++)
        {
            if (_asids[i] != NoAsid && machinePages.Contains(_machinePages[i]))
            {
                _asids[i] = NoAsid;
            }
        }
    }

    public void FlushAsid(int asid)
    {
        for (int i = 0; i < _asids.Length; i++)
        {
            if (_asids[i] == asid)
            {
                _asids[i] = NoAsid;
            }
        }
    }

    public void DeclareState(ref StateIo io)
    {
        io.Ints("l2tlb asids", _asids, NoAsid, Hardware.Tlb.TlbEntry.MaxAsid);
        io.Longs("l2tlb virtual pages", _vpns);
        io.Longs("l2tlb machine pages", _machinePages, 0);
        for (int i = 0; i < _writable.Length; i++)
        {
            io.Bool("l2tlb writable", ref _writable[i]);
        }
    }
}
