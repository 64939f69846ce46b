namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The memmap [D 4.2.1]: per machine page, every (VM, guest page) that maps it, in (VM, guest page) order. The
/// inverse of the pmaps (rebuilt from them, never checkpointed): what sharing checks, shootdowns and page
/// migration need to find every mapping of a machine page. The order is canonical, not the order of mapping, so
/// the memmap rebuilt after a resume is the very one the uninterrupted run has, and whatever walks it (a shootdown
/// sending one message per mapper) does the same thing in both.
/// </summary>
public sealed class Memmap
{
    private readonly SortedDictionary<long, List<GuestPage>> _mappers = [];

    /// <summary>Machine pages some VM maps.</summary>
    public int MappedPages => _mappers.Count;

    /// <summary>Every mapping of every machine page (one per pmap entry).</summary>
    public long Mappings => _mappers.Values.Sum(b => (long)b.Count);

    /// <summary>Each mapped machine page with its mappers, in machine page order.</summary>
    public IEnumerable<(long MachinePage, IReadOnlyList<GuestPage> Mappers)> Entries =>
        _mappers.Select(m => (m.Key, (IReadOnlyList<GuestPage>)m.Value));

    /// <summary>The guest pages mapping <paramref name="machinePage"/>; empty when none does.</summary>
    public IReadOnlyList<GuestPage> Of(long machinePage) => _mappers.TryGetValue(machinePage, out var m) ? m : [];

    public bool IsMapped(long machinePage) => _mappers.ContainsKey(machinePage);

    public void Add(long machinePage, GuestPage mapper)
    {
        if (!_mappers.TryGetValue(machinePage, out var back))
        {
            back = [];
            _mappers[machinePage] = back;
        }

        int at = back.BinarySearch(mapper);
        back.Insert(at < 0 ? ~at : at, mapper);
    }

    /// <summary>Forgets one mapping; true when nobody maps the machine page any more.</summary>
    public bool Remove(long machinePage, GuestPage mapper)
    {
        var back = _mappers[machinePage];
        back.Remove(mapper);
        if (back.Count > 0)
        {
            return false;
        }

        _mappers.Remove(machinePage);
        return true;
    }

    public void Clear() => _mappers.Clear();
}
