using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The lines a home records: an entry exists while some node holds the line or a transaction or request is pending on
/// it; an uncached, idle line is forgotten (so the table grows with what the caches hold, not with memory).
/// </summary>
internal sealed class DirectoryLines : IStateful
{
    private readonly Dictionary<long, DirectoryEntry> _entries = [];
    private readonly HomeMap _homes;
    private readonly int _node;
    private readonly int _nodes;
    private readonly int _maxLines;

    public DirectoryLines(HomeMap homes, int node, int nodes)
    {
        _homes = homes;
        _node = node;
        _nodes = nodes;
        _maxLines = (int)Math.Min(int.MaxValue, homes.PagesPerNode << homes.LinesPerPageShift);
    }

    public IEnumerable<long> Lines => _entries.Keys;

    public bool TryGet(long line, out DirectoryEntry entry) => _entries.TryGetValue(line, out entry!);

    /// <summary>The line's entry, recorded now if it was not (uncached); the line must belong to this home.</summary>
    public DirectoryEntry Get(long line)
    {
        if (!_entries.TryGetValue(line, out var e))
        {
            if (_homes.NodeOfLine(line) != _node)
            {
                throw new InvalidOperationException($"directory {_node}: line {line:x} belongs to node {_homes.NodeOfLine(line)}");
            }

            e = new DirectoryEntry(line);
            _entries[line] = e;
        }

        return e;
    }

    public void Forget(long line) => _entries.Remove(line);

    /// <summary>Every entry in line order (a loaded table saves the same bytes whatever order it was filled in).</summary>
    public void DeclareState(ref StateIo io)
    {
        if (io.IsReporting)
        {
            return;
        }

        int nodes = _nodes;
        var entries = io.IsSaving ? [.. _entries.Values.OrderBy(e => e.Line)] : new List<DirectoryEntry>();
        io.List("directory lines", entries, _maxLines, (ref StateIo inner, ref DirectoryEntry e) =>
        {
            long line = e?.Line ?? 0;
            inner.Long("directory line", ref line, 0);
            e ??= new DirectoryEntry(line);
            e.DeclareState(ref inner, nodes);
        });
        if (!io.IsLoading)
        {
            return;
        }

        _entries.Clear();
        foreach (var e in entries)
        {
            if (_homes.NodeOfLine(e.Line) != _node || !_entries.TryAdd(e.Line, e))
            {
                throw new CorruptStateException($"directory {_node}: line {e.Line:x} is not a distinct line of this node");
            }
        }
    }
}
