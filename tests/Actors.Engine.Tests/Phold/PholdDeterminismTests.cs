using Disco.Actors.Engine.Phold;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Phold;

public class PholdDeterminismTests
{
    private static readonly PholdParams Small = new(Lps: 64, Population: 8, End: 60);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void Sequential_and_actor_engine_agree_on_every_mapping(int threads)
    {
        var runs = EngineMatrix.RunAll(() => PholdModel.Build(Small, seed: 7), partitions: [0, 2, 4, 7], threads: [threads]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        Assert.True(runs[0].Result.Events > 0);
    }

    [Fact]
    public void Other_executors_give_the_same_digest()
    {
        var seq = EngineMatrix.Sequential(() => PholdModel.Build(Small, 3));
        foreach (var executor in new[] { Engine.Actors.EngineExecutor.ForkJoin, Engine.Actors.EngineExecutor.ThreadPool })
        {
            Assert.Equal(seq.Digest, EngineMatrix.Actors(() => PholdModel.Build(Small, 3), 3, 2, executor).Digest);
        }
    }

    [Fact]
    public void Another_seed_gives_another_execution()
    {
        var a = EngineMatrix.Sequential(() => PholdModel.Build(Small, 1));
        var b = EngineMatrix.Sequential(() => PholdModel.Build(Small, 2));
        Assert.NotEqual(a.Digest, b.Digest);
    }

    [Theory]
    [InlineData(256, 16, 100.0, 0.9)]
    [InlineData(100, 4, 300.0, 0.5)]
    [InlineData(1, 16, 200.0, 0.9)]
    public void Event_count_is_within_15_percent_of_N_P_END_over_L_plus_M(int lps, int population, double end, double remote)
    {
        var p = new PholdParams(Lps: lps, Population: population, End: end, Remote: remote);
        var result = EngineMatrix.Sequential(() => PholdModel.Build(p, 11));
        double ratio = result.Events / p.ExpectedEvents;
        Assert.InRange(ratio, 0.85, 1.15);
    }

    [Fact]
    public void The_remote_fraction_matches_R()
    {
        var p = new PholdParams(Lps: 128, Population: 8, End: 200, Remote: 0.9);
        var result = EngineMatrix.Sequential(() => PholdModel.Build(p, 5));
        double remote = result.Counter("phold.remote_sends") / (double)result.Events;
        Assert.InRange(remote, 0.88, 0.92);
    }

    [Fact]
    public void Bad_parameters_name_their_key()
    {
        Assert.Contains(new PholdParams(Lps: 0).Problems(), p => p.Key == "lps");
        Assert.Contains(new PholdParams(Lookahead: 0).Problems(), p => p.Key == "lookahead");
        Assert.Contains(new PholdParams(End: -1).Problems(), p => p.Key == "end");
        Assert.Contains(new PholdParams(Remote: 1.5).Problems(), p => p.Key == "remote");
        Assert.Empty(new PholdParams().Problems());
    }
}
