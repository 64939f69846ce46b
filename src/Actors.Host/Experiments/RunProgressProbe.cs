using System.Globalization;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// A child run's simulated time, read from the last row of its <c>metrics.csv</c> (one row per metrics interval,
/// flushed as it is written). Polling a file needs nothing from the child and survives its crash.
/// </summary>
internal static class RunProgressProbe
{
    private const int TailBytes = 4096;

    /// <summary>The simulated time (ps) of the last complete row, or 0 when there is none yet.</summary>
    public static long SimTimePs(string folder)
    {
        string path = Path.Combine(folder, "metrics.csv");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long start = Math.Max(0, stream.Length - TailBytes);
            stream.Seek(start, SeekOrigin.Begin);
            using var reader = new StreamReader(stream);
            string tail = reader.ReadToEnd();
            int end = tail.LastIndexOf('\n');
            if (end <= 0)
            {
                return 0;
            }

            int begin = tail.LastIndexOf('\n', end - 1) + 1;
            string line = tail[begin..end];
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            return comma > 0 && long.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture, out long ps) ? ps : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
