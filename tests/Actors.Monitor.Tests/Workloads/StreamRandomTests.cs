using Disco.Actors.Engine.Components;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Tests.Workloads;

/// <summary>The synthetic stream's by-value generator draws exactly what <see cref="SimRandom"/> draws (digests depend on it).</summary>
public class StreamRandomTests
{
    [Fact]
    public void Draws_equal_SimRandom_draws_and_survive_a_round_trip_through_it()
    {
        var reference = SimRandom.ForComponent(42, new ComponentId(7));
        var stream = StreamRandom.From(SimRandom.ForComponent(42, new ComponentId(7)));
        for (int i = 0; i < 100_000; i++)
        {
            Assert.Equal(reference.NextDouble(), stream.NextDouble());
            if (i == 50_000)
            {
                stream = StreamRandom.From(stream.ToSimRandom());
            }
        }

        Assert.Equal(reference.State, stream.ToSimRandom().State);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(0.5)]
    [InlineData(0.35)]
    [InlineData(0.97)]
    [InlineData(0.8)]
    [InlineData(1e-300)]
    [InlineData(0.9999999999999999)]
    public void Below_a_threshold_is_a_draw_below_its_probability(double probability)
    {
        var byDouble = StreamRandom.From(SimRandom.ForComponent(3, new ComponentId(1)));
        var byThreshold = byDouble;
        ulong threshold = StreamRandom.Threshold(probability);
        for (int i = 0; i < 200_000; i++)
        {
            Assert.Equal(byDouble.NextDouble() < probability, byThreshold.Below(threshold));
        }
    }

    [Fact]
    public void Thresholds_sit_exactly_at_the_probability_between_neighbouring_draws()
    {
        // Draws are m / 2^53: for every m near the threshold, the integer test agrees with the double one.
        var random = SimRandom.ForComponent(9, new ComponentId(2));
        for (int i = 0; i < 10_000; i++)
        {
            double p = random.NextDouble();
            ulong t = StreamRandom.Threshold(p);
            for (ulong m = t > 2 ? t - 2 : 0; m < t + 2; m++)
            {
                Assert.Equal(m * (1.0 / (1UL << 53)) < p, m < t);
            }
        }
    }
}
