using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Tests.Time;

public class SimTimeTests
{
    [Theory]
    [InlineData("250ps", 250)]
    [InlineData("300ns", 300_000)]
    [InlineData("200us", 200_000_000)]
    [InlineData("5ms", 5_000_000_000)]
    [InlineData("1.5s", 1_500_000_000_000)]
    [InlineData(" 0.5 us ", 500_000)]
    public void Times_parse_with_their_unit(string text, long ps) => Assert.Equal(ps, SimTime.Parse(text).Ps);

    [Theory]
    [InlineData("5")]
    [InlineData("ms")]
    [InlineData("5 minutes")]
    [InlineData("1.5ps")]
    [InlineData("-")]
    public void A_time_without_a_valid_unit_or_whole_picoseconds_is_refused(string text) => Assert.False(SimTime.TryParse(text, out _));

    [Fact]
    public void Formatting_round_trips() => Assert.Equal(SimTime.Parse("1.25ms"), SimTime.Parse(SimTime.Parse("1.25ms").ToString()));

    [Fact]
    public void Adding_to_never_stays_never()
    {
        Assert.Equal(SimTime.Infinity, SimTime.Infinity + SimTime.FromNs(5));
        Assert.Equal(SimTime.Infinity, new SimTime(long.MaxValue - 1) + SimTime.FromNs(5));
    }
}
