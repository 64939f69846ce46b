using Akka.Actor;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;

namespace Disco.Actors.Engine.Actors;

public sealed class PartitionActorTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>
    /// Between processes nothing orders a peer's first report after the conductor's wiring (two senders, two
    /// connections): a partition that gets its peer's window-0 report first must keep it, or it waits for it forever
    /// (it once failed with a null reference in a cluster run after a worker was replaced).
    /// </summary>
    [Fact]
    public void A_peer_report_that_overtakes_the_wiring_counts_for_its_window()
    {
        var model = PholdModel.Build(new PholdParams(Lps: 8, Population: 2, End: 100), seed: 3);
        var placement = Placement.Partitioned(model, 2);
        var loop = new EventLoop(model, placement, 1);
        var conductor = CreateTestProbe();
        var peer = CreateTestProbe();
        var partition = Sys.ActorOf(PartitionActor.Props(loop, conductor.Ref, "akka.actor.default-dispatcher", model.End.Ps));

        // Partition 0 has nothing to do and says so before partition 1 knows the partitions.
        partition.Tell(new WindowDone(0, 0, 0, long.MaxValue, long.MaxValue, 0, [], [], []), peer.Ref);
        partition.Tell(new WirePartitions([peer.Ref, partition]), conductor.Ref);
        partition.Tell(new Proceed(PeerWindows.GrantAhead, long.MaxValue, 0), conductor.Ref);
        partition.Tell(new OpenWindow(0, 0, 0, StartComponents: true), conductor.Ref);

        // Its events for partition 0 come as batches; its reports tell where it is.
        Assert.Equal(0, peer.FishForMessage<WindowDone>(_ => true).Window);
        // With both reports of window 0, partition 1 opens window 1 on its own.
        Assert.Equal(1, peer.FishForMessage<WindowDone>(_ => true, TimeSpan.FromSeconds(10)).Window);
    }
}
