using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Actors;

/// <summary>
/// The engine counts its own messages (windows opened, batches, reports, grants), so `disco bench` can say what a
/// layout costs per event beyond the events themselves.
/// </summary>
public sealed class EngineMessageCountTests
{
    private static SimulationModel Build() => PholdModel.Build(new PholdParams(Lps: 24, Population: 4, End: 60), seed: 3);

    [Fact]
    public void One_actor_per_lp_sends_an_open_and_a_report_per_woken_partition_and_the_same_count_every_run()
    {
        // 24 partitions: more than peer windows take, so the conductor opens every window.
        var first = EngineMatrix.Actors(Build, partitions: 0, threads: 2);
        var second = EngineMatrix.Actors(Build, partitions: 0, threads: 1);
        var s = first.Stats!;
        Assert.Equal(first.Digest, second.Digest);

        // Conductor windows are a function of the model alone, and so is every message around them.
        Assert.Equal(s.Messages, second.Stats!.Messages);
        Assert.True(s.Messages >= 2 * s.Windows, $"{s.Messages} messages for {s.Windows} windows");
        Assert.InRange(s.MessagesPerEvent, 0.5, 10);
    }

    [Fact]
    public void Peer_windows_count_their_reports_and_the_sequential_kernel_has_no_engine_figures()
    {
        var two = EngineMatrix.Actors(Build, partitions: 2, threads: 2);
        var s = two.Stats!;

        // Each window every woken partition tells the other: at least one report per window.
        Assert.True(s.Messages >= s.Windows, $"{s.Messages} messages for {s.Windows} windows");
        Assert.True(s.MessagesPerEvent < 1, $"{s.MessagesPerEvent} messages per event on 2 partitions");
        Assert.Null(EngineMatrix.Sequential(Build).Stats);
    }
}
