using System.Text;

namespace Disco.Actors.Host.Output;

/// <summary>
/// Plain aligned columns: the first left-aligned (names), the rest right-aligned (numbers). Plain text rather than
/// box-drawing reads the same on a terminal, in a file and in a diff.
/// </summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows = [];
    private readonly int _columns;

    public TextTable(params string[] header)
    {
        ArgumentNullException.ThrowIfNull(header);
        _columns = header.Length;
        _rows.Add(header);
    }

    public void Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != _columns)
        {
            throw new ArgumentException($"expected {_columns} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        int[] widths = [.. Enumerable.Range(0, _columns).Select(c => _rows.Max(r => r[c].Length))];
        var line = new StringBuilder();
        foreach (string[] row in _rows)
        {
            line.Clear();
            for (int c = 0; c < _columns; c++)
            {
                line.Append(c == 0 ? row[c].PadRight(widths[c]) : "  " + row[c].PadLeft(widths[c]));
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }
    }
}
