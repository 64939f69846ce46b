using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// One virtual machine's pmap [D 4.2.1]: guest-physical page → machine page, each writable or read-only (read-only:
/// the page is shared, or was written to disk, and the VM's next store to it copies).
/// </summary>
public sealed class Pmap : IStateful
{
    private readonly long _machinePages;

    // State (checkpointed, in this order).
    private readonly SortedDictionary<long, long> _pages = [];
    private readonly SortedSet<long> _readOnly = [];

    /// <param name="machinePages">Machine pages of the machine (the bound of every entry).</param>
    public Pmap(long machinePages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(machinePages, 1);
        _machinePages = machinePages;
    }

    /// <summary>Guest page → machine page, in guest page order.</summary>
    public IReadOnlyDictionary<long, long> Pages => _pages;

    public int Count => _pages.Count;

    public bool TryGet(long guestPage, out long machinePage) => _pages.TryGetValue(guestPage, out machinePage);

    public bool Contains(long guestPage) => _pages.ContainsKey(guestPage);

    public bool IsWritable(long guestPage) => !_readOnly.Contains(guestPage);

    public void Map(long guestPage, long machinePage, bool writable)
    {
        _pages[guestPage] = machinePage;
        if (!writable)
        {
            _readOnly.Add(guestPage);
        }
    }

    /// <summary>Drops the guest page's entry; false when it had none.</summary>
    public bool Unmap(long guestPage, out long machinePage)
    {
        if (!_pages.Remove(guestPage, out machinePage))
        {
            return false;
        }

        _readOnly.Remove(guestPage);
        return true;
    }

    /// <summary>The VM may no longer write the page in place: its next store copies.</summary>
    public void MakeReadOnly(long guestPage) => _readOnly.Add(guestPage);

    /// <summary>The VM may write the page in place again (its replicas collapsed).</summary>
    public void MakeWritable(long guestPage) => _readOnly.Remove(guestPage);

    public void DeclareState(ref StateIo io)
    {
        int most = (int)Math.Min(int.MaxValue, _machinePages);
        io.LongMap("pmap", _pages, most, 0, long.MaxValue, 0, _machinePages - 1);
        io.Set("read-only guest pages", _readOnly, most, 0, long.MaxValue);
    }
}
