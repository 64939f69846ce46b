using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The monitor's second-level software TLB of one VCPU [D 4.2.2]: a direct-mapped cache of (ASID, virtual page) →
/// (machine page, writable), filled on every emulated TLB write. A hardware TLB miss looks here first; a hit is
/// refilled by the monitor without entering the guest. It survives the hardware TLB flush of a VCPU switch.
/// </summary>
public sealed class SecondLevelTlb
{
    private readonly long[] _keys;
    private readonly long[] _pages;

    public SecondLevelTlb(int entries)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entries, 1);
        _keys = new long[entries];
        _pages = new long[entries];
        Array.Fill(_keys, -1L);
    }

    public int Entries => _keys.Length;

    private static long Key(int asid, long vpn) => (vpn << 8) | (uint)asid;

    /// <summary>Fibonacci hashing: the product's high bits mix every bit of the key (its low bits only the key's low bits).</summary>
    private int Slot(long key) => (int)((((ulong)key * 0x9E3779B97F4A7C15UL) >> 32) % (ulong)_keys.Length);

    public void Insert(int asid, long vpn, long machinePage, bool writable)
    {
        if (machinePage < 0)
        {
            return;
        }

        long key = Key(asid, vpn);
        int i = Slot(key);
        _keys[i] = key;
        _pages[i] = (machinePage << 1) | (writable ? 1L : 0L);
    }

    public bool TryLookup(int asid, long vpn, out long machinePage, out bool writable)
    {
        long key = Key(asid, vpn);
        int i = Slot(key);
        if (_keys[i] == key)
        {
            machinePage = _pages[i] >> 1;
            writable = (_pages[i] & 1) != 0;
            return true;
        }

        machinePage = -1;
        writable = false;
        return false;
    }

    /// <summary>Forgets everything (a guest page was remapped: its translations may be anywhere).</summary>
    public void FlushAll() => Array.Fill(_keys, -1L);

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
        writer.Write(_keys);
        writer.Write(_pages);
    }

    public void Load(ref StateReader reader)
    {
        long[] keys = reader.ReadLongArray("l2tlb keys", _keys.Length);
        long[] pages = reader.ReadLongArray("l2tlb pages", _pages.Length);
        if (keys.Length != _keys.Length || pages.Length != _pages.Length)
        {
            throw new CorruptStateException($"second-level TLB: {keys.Length} entries saved, {_keys.Length} configured");
        }

        keys.CopyTo(_keys, 0);
        pages.CopyTo(_pages, 0);
    }
}
