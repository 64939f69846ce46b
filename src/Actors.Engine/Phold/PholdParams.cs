using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Phold;

/// <summary>
/// PHOLD's parameters (Fujimoto 1990; see PHOLD.md). Times are in PHOLD units, 1.0 = 1 µs of simulated time.
/// </summary>
/// <param name="Lps">N: logical processes.</param>
/// <param name="Population">P: events each LP schedules to itself at time 0.</param>
/// <param name="Mean">M: mean of the exponential part of every delay.</param>
/// <param name="Lookahead">L: fixed part of every delay, the minimum latency between LPs.</param>
/// <param name="Remote">R: probability that an event goes to another LP.</param>
/// <param name="End">END: events at or after this time are not handled.</param>
/// <param name="IntegerDelays">
/// Round every exponential draw to whole PHOLD units, so many events meet at the same time: a model full of ties,
/// for studying tie orders (not part of PHOLD.md's definition).
/// </param>
public sealed record PholdParams(int Lps = 1024, int Population = 16, double Mean = 1.0, double Lookahead = 0.1, double Remote = 0.9, double End = 1000.0, bool IntegerDelays = false)
{
    public const long PsPerUnit = SimTime.PsPerUs;

    public SimTime LookaheadTime => new((long)Math.Round(Lookahead * PsPerUnit));

    public double MeanPs => Mean * PsPerUnit;

    /// <summary>The exponential part of a delay as drawn, or rounded to whole units with <see cref="IntegerDelays"/>.</summary>
    public long ExponentialPartPs(long drawnPs) =>
        IntegerDelays ? (long)Math.Round(drawnPs / (double)PsPerUnit, MidpointRounding.AwayFromZero) * PsPerUnit : drawnPs;

    public SimTime EndTime => new((long)Math.Round(End * PsPerUnit));

    /// <summary>The event count PHOLD should produce: N·P·END/(L+M). A run far from it is wrong.</summary>
    public double ExpectedEvents => (double)Lps * Population * End / (Lookahead + Mean);

    /// <summary>Every problem with these values, each naming the key it concerns (empty when valid).</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (Lps < 1)
        {
            yield return ("lps", $"must be at least 1 (got {Lps})");
        }

        if (Population < 0)
        {
            yield return ("population", $"must not be negative (got {Population})");
        }

        if (!(Mean >= 0) || double.IsInfinity(Mean))
        {
            yield return ("mean", $"must be a finite number ≥ 0 (got {Mean})");
        }

        if (!(Lookahead > 0) || double.IsInfinity(Lookahead) || LookaheadTime.Ps <= 0)
        {
            yield return ("lookahead", $"must be > 0 (got {Lookahead}); it is the minimum delay between LPs");
        }

        if (!(Remote >= 0 && Remote <= 1))
        {
            yield return ("remote", $"must be a probability in [0, 1] (got {Remote})");
        }

        if (!(End > 0) || double.IsInfinity(End) || End * PsPerUnit >= long.MaxValue / 2.0)
        {
            yield return ("end", $"must be > 0 and finite (got {End})");
        }
    }
}
