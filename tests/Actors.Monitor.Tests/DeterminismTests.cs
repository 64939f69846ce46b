using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

public class DeterminismTests
{
    [Theory]
    [InlineData(false, 1, 1)]
    [InlineData(true, 1, 1)]
    [InlineData(true, 2, 3)]
    public void A_guest_gives_one_digest_on_the_sequential_kernel_and_every_actor_mapping(bool underMonitor, int nodes, int vms)
    {
        var monitor = GuestRuns.Monitor with { Vms = vms, CheckInvariants = false };
        var runs = EngineMatrix.RunAll(() => GuestRuns.Build(GuestRuns.Pmake(), underMonitor, monitor: monitor, machine: GuestRuns.Machine(nodes)), partitions: [0, 2], threads: [2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        Assert.True(runs[0].Result.Counter("service.exit.count") == 4L * (underMonitor ? vms : 1));
    }

    [Fact]
    public void Another_seed_gives_another_execution()
    {
        var a = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: true, seed: 1).Result;
        var b = GuestRuns.Run(GuestRuns.Pmake(), underMonitor: true, seed: 2).Result;
        Assert.NotEqual(a.Digest, b.Digest);
    }
}
