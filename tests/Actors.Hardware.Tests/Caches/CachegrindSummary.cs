using System.Globalization;
using System.Text.RegularExpressions;
using Disco.Actors.Hardware.Caches;

namespace Disco.Actors.Hardware.Tests.Caches;

/// <summary>The header and totals of a cachegrind.out file: the simulated geometry and the event counts.</summary>
internal sealed partial record CachegrindSummary(CacheGeometry I1, CacheGeometry D1, CacheGeometry LL, IReadOnlyDictionary<string, long> Totals)
{
    public long this[string evt] => Totals[evt];

    public static CachegrindSummary Read(string path)
    {
        var caches = new Dictionary<string, CacheGeometry>();
        string[] events = [];
        long[] totals = [];
        foreach (string line in File.ReadLines(path))
        {
            if (Desc().Match(line) is { Success: true } m)
            {
                caches[m.Groups[1].Value] = new CacheGeometry(Number(m.Groups[2].Value), (int)Number(m.Groups[4].Value), (int)Number(m.Groups[3].Value));
            }
            else if (line.StartsWith("events:", StringComparison.Ordinal))
            {
                events = line["events:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
            else if (line.StartsWith("summary:", StringComparison.Ordinal))
            {
                totals = [.. line["summary:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Number)];
            }
        }

        if (events.Length == 0 || events.Length != totals.Length || caches.Count != 3)
        {
            throw new InvalidDataException($"{path}: expected desc: lines of I1, D1 and LL, an events: line and a summary: line of as many numbers");
        }

        return new CachegrindSummary(caches["I1"], caches["D1"], caches["LL"], events.Zip(totals).ToDictionary(p => p.Item1, p => p.Item2));
    }

    private static long Number(string s) => long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^desc: (I1|D1|LL) cache:\s+(\d+) B, (\d+) B, (\d+)-way associative")]
    private static partial Regex Desc();
}
