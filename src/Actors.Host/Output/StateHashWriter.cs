using System.Globalization;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Host.Output;

/// <summary>
/// <c>state-hashes.csv</c>: at every metrics sample, one row per component with the hash of its state (its digest
/// left out), then the final state at the run's end (time column <c>final</c>; read back as <see cref="FinalPs"/>). Two
/// runs of one scenario under different tie orders have the same rows exactly where their results agree: the order
/// probe finds the first divergence from them.
/// </summary>
internal sealed class StateHashWriter : IDisposable
{
    public const string FileName = "state-hashes.csv";

    /// <summary>The time the final rows read back as: after every sample.</summary>
    public const long FinalPs = long.MaxValue;

    private readonly StreamWriter _writer;

    private StateHashWriter(StreamWriter writer) => _writer = writer;

    /// <summary>Opens the file in <paramref name="directory"/>, keeping only rows up to <paramref name="keepUntilPs"/> (a resumed run).</summary>
    public static StateHashWriter Open(string directory, long keepUntilPs)
    {
        string path = Path.Combine(directory, FileName);
        return new StateHashWriter(TimeSeriesCsv.Restart(path, "sim_time_ps,component,kind,state_hash", keepUntilPs));
    }

    public void Sample(long timePs, IReadOnlyList<ComponentReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        foreach (var r in reports)
        {
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{timePs},{r.Id},{r.Kind},{r.StateHash:x16}"));
        }

        _writer.Flush();
    }

    /// <summary>The state every component ended the run in.</summary>
    public void Final(IReadOnlyList<ComponentReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        foreach (var r in reports)
        {
            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"final,{r.Id},{r.Kind},{r.StateHash:x16}"));
        }

        _writer.Flush();
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>Reads a file back: (time, component id, kind, hash) rows in file order.</summary>
    public static IReadOnlyList<(long TimePs, int Component, string Kind, ulong Hash)> Read(string path)
    {
        var rows = new List<(long, int, string, ulong)>();
        int line = 1;
        foreach (string text in File.ReadLines(path).Skip(1))
        {
            line++;
            var f = text.Split(',');
            long? time = f[0] == "final" ? FinalPs : TimeSeriesCsv.TimeOf(text);
            if (f.Length != 4 || time is not { } t || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                || !ulong.TryParse(f[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong hash))
            {
                throw new InvalidDataException($"{path}:{line}: not a state-hash row");
            }

            rows.Add((t, id, f[2], hash));
        }

        return rows;
    }
}
