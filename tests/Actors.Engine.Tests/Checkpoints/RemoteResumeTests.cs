using Akka.Actor;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Checkpoints;

/// <summary>
/// The cluster's way of running, in one process: the conductor waits for partitions that "workers" create, each
/// worker from its own copy of the model (as separate processes have), restored from the same checkpoint.
/// </summary>
public class RemoteResumeTests
{
    private static SimulationModel Build() => PholdModel.Build(new PholdParams(Lps: 64, Population: 8, End: 400), seed: 1);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Partitions_hosted_by_separate_model_copies_resume_to_the_uninterrupted_digest(bool serializeEverything)
    {
        await using var h = CheckpointHarness.Create(extraConfig: serializeEverything ? "akka.actor.serialize-messages = on" : null);
        if (serializeEverything)
        {
            ModelMessages.For(h.System).Catalog = Build().Messages;
        }

        var reference = EngineMatrix.Sequential(Build);
        var saved = new List<CheckpointCompleted>();
        h.Run(Build(), 4, new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(50), Save = h.Store.SaveEpochAsync, Saved = saved.Add } });
        for (int trial = 0; trial < 6; trial++)
        {
            var epoch = saved[1 + (trial % 3)];
            var conductorModel = Build();
            var conductorImage = await h.Store.LoadEpochAsync(epoch, conductorModel);
            conductorImage.LoadInto(conductorModel);
            var placement = Placement.Partitioned(conductorModel, 4);
            var (conductor, result) = ActorEngine.StartWithRemotePartitions(h.System, conductorModel, placement, 2, RunControl.None, conductorImage, $"conductor-{trial}");
            foreach (int[] share in new[] { new[] { 0, 1 }, new[] { 2, 3 } })
            {
                var workerModel = Build();
                var image = await h.Store.LoadEpochAsync(epoch, workerModel);
                image.LoadInto(workerModel);
                var refs = PartitionHosting.Create(h.System, workerModel, Placement.Partitioned(workerModel, 4), share, conductor, "akka.actor.default-dispatcher", image, $"t{trial}-w{share[0]}-");
                conductor.Tell(new PartitionsHosted(share, refs));
            }

            var resumed = await result;
            Assert.True(reference.Digest == resumed.Digest, $"trial {trial} from epoch {epoch.Epoch}: {resumed.DigestHex} vs {reference.DigestHex}");
        }
    }
}
