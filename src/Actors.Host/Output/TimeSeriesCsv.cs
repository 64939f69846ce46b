using System.Globalization;

namespace Disco.Actors.Host.Output;

/// <summary>
/// A CSV file whose rows start with a simulated time (metrics.csv, state-hashes.csv). A resumed run first drops the
/// rows after its checkpoint (the run that died wrote them) and appends from there, so the file ends up as the
/// uninterrupted run's.
/// </summary>
internal static class TimeSeriesCsv
{
    /// <summary>Rewrites <paramref name="path"/> with its header and the rows up to <paramref name="keepUntilPs"/>, then opens it for appending.</summary>
    public static StreamWriter Restart(string path, string header, long keepUntilPs)
    {
        var kept = new List<string> { header };
        if (keepUntilPs > 0 && File.Exists(path))
        {
            kept.AddRange(File.ReadLines(path).Skip(1).Where(line => TimeOf(line) is { } t && t <= keepUntilPs));
        }

        File.WriteAllLines(path, kept);
        return new StreamWriter(path, append: true) { AutoFlush = false };
    }

    /// <summary>The row's time (its first column), or null when it is not a number.</summary>
    public static long? TimeOf(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        int comma = line.IndexOf(',', StringComparison.Ordinal);
        return comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out long t) ? t : null;
    }
}
