using System.Globalization;

namespace Disco.Actors.Engine.Time;

/// <summary>Simulated time: a 64-bit count of picoseconds. Never derived from the wall clock.</summary>
public readonly record struct SimTime(long Ps) : IComparable<SimTime>
{
    public static readonly SimTime Zero = new(0);

    /// <summary>"Never": the time of an event that does not exist. Arithmetic saturates at it.</summary>
    public static readonly SimTime Infinity = new(long.MaxValue);

    public const long PsPerNs = 1_000;
    public const long PsPerUs = 1_000_000;
    public const long PsPerMs = 1_000_000_000;
    public const long PsPerS = 1_000_000_000_000;

    public bool IsInfinite => Ps == long.MaxValue;

    public static SimTime FromPs(long ps) => new(ps);
    public static SimTime FromNs(long ns) => new(checked(ns * PsPerNs));
    public static SimTime FromUs(long us) => new(checked(us * PsPerUs));
    public static SimTime FromMs(long ms) => new(checked(ms * PsPerMs));

    /// <summary>Adds, saturating at <see cref="Infinity"/> so "never + latency" stays "never".</summary>
    public static SimTime operator +(SimTime a, SimTime b)
    {
        long sum = a.Ps + b.Ps;
        return ((a.Ps ^ sum) & (b.Ps ^ sum)) < 0 || a.IsInfinite || b.IsInfinite ? Infinity : new SimTime(sum);
    }

    public static SimTime operator -(SimTime a, SimTime b) => new(a.Ps - b.Ps);
    public static bool operator <(SimTime a, SimTime b) => a.Ps < b.Ps;
    public static bool operator >(SimTime a, SimTime b) => a.Ps > b.Ps;
    public static bool operator <=(SimTime a, SimTime b) => a.Ps <= b.Ps;
    public static bool operator >=(SimTime a, SimTime b) => a.Ps >= b.Ps;

    public static SimTime Min(SimTime a, SimTime b) => a.Ps <= b.Ps ? a : b;
    public static SimTime Max(SimTime a, SimTime b) => a.Ps >= b.Ps ? a : b;

    public int CompareTo(SimTime other) => Ps.CompareTo(other.Ps);

    public double TotalSeconds => Ps / (double)PsPerS;

    /// <summary>
    /// Parses a time with its unit: <c>250ps</c>, <c>300ns</c>, <c>200us</c>, <c>5ms</c>, <c>1.5s</c>.
    /// A bare number is refused: a simulated time without a unit is a bug waiting to happen.
    /// </summary>
    public static bool TryParse(string? text, out SimTime time)
    {
        time = Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim().Replace("_", "", StringComparison.Ordinal);
        (string suffix, long scale)[] units = [("ps", 1), ("ns", PsPerNs), ("us", PsPerUs), ("µs", PsPerUs), ("ms", PsPerMs), ("s", PsPerS)];
        foreach (var (suffix, scale) in units)
        {
            if (!s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string number = s[..^suffix.Length].Trim();
            if (number.Length == 0 || !char.IsAsciiDigit(number[^1]))
            {
                continue; // "ms" ends with "s" too: let the longer unit match
            }

            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
            {
                return false;
            }

            decimal ps = value * scale;
            if (ps > long.MaxValue || ps != decimal.Truncate(ps))
            {
                return false;
            }

            time = new SimTime((long)ps);
            return true;
        }

        return false;
    }

    public static SimTime Parse(string text) =>
        TryParse(text, out var t) ? t : throw new FormatException($"'{text}' is not a simulated time (write it with a unit: ps, ns, us, ms, s)");

    public override string ToString()
    {
        if (IsInfinite)
        {
            return "never";
        }

        (long scale, string unit)[] units = [(PsPerS, "s"), (PsPerMs, "ms"), (PsPerUs, "us"), (PsPerNs, "ns")];
        foreach (var (scale, unit) in units)
        {
            if (Math.Abs(Ps) >= scale)
            {
                return (Ps / (decimal)scale).ToString("0.######", CultureInfo.InvariantCulture) + unit;
            }
        }

        return Ps.ToString(CultureInfo.InvariantCulture) + "ps";
    }
}
