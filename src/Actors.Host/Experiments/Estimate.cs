using System.Globalization;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// The mean of a figure's value over the repetitions of one configuration, with the half-width of its 95% confidence
/// interval (Student's t, n - 1 degrees of freedom; 0 for a single run, where there is no spread to estimate).
/// </summary>
internal readonly record struct Estimate(double Mean, double HalfWidth, int Runs)
{
    // t(0.975, df) for df = 1..30; beyond, the normal 1.96 is within 2%.
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    public static Estimate Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new Estimate(0, 0, 0);
        }

        double mean = values.Average();
        if (values.Count == 1)
        {
            return new Estimate(mean, 0, 1);
        }

        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        double t = values.Count - 1 <= T975.Length ? T975[values.Count - 2] : 1.96;
        return new Estimate(mean, t * Math.Sqrt(variance / values.Count), values.Count);
    }

    /// <summary>"12.3" for one run, "12.3 ± 0.4" for several.</summary>
    public string Format(string format = "F1") =>
        Runs > 1
            ? $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {HalfWidth.ToString(format, CultureInfo.InvariantCulture)}"
            : Mean.ToString(format, CultureInfo.InvariantCulture);
}
