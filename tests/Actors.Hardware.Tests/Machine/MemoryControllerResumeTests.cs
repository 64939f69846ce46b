using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Memory;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Machine;

public class MemoryControllerResumeTests
{
    private static Engine.Model.SimulationModel Build() => SmallModels.Engineering(end: SimTime.FromUs(2000));

    [Fact]
    public async Task Resuming_with_memory_reads_in_flight_and_replies_held_gives_the_uninterrupted_digest()
    {
        await using var h = CheckpointHarness.Create();
        var reference = EngineMatrix.Sequential(Build);
        var saved = new List<CheckpointCompleted>();
        var control = new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(100), Save = h.Store.SaveEpochAsync, Saved = saved.Add } };
        Assert.Equal(reference.Digest, h.Run(Build(), partitions: 4, control).Digest);
        Assert.True(saved.Count >= 10);

        int[] layouts = [-1, 0, 4];
        int held = 0, outstanding = 0;
        for (int i = 0; i < saved.Count; i++)
        {
            // What the epoch holds: directories waiting for memory, reads the controllers have not answered.
            var model = Build();
            (await h.Store.LoadEpochAsync(saved[i], model)).LoadInto(model);
            var directories = model.Components.OfType<DirectoryComponent>().Select(d => d.Directory).ToArray();
            held += directories.Sum(d => d.HeldMessages);
            outstanding += (int)directories.Sum(d => d.MemoryRequestsOutstanding);
            Assert.Equal(4, model.Components.OfType<MemoryControllerComponent>().Count());

            var resumed = h.Resume(Build, saved[i], layouts[i % layouts.Length]);
            Assert.True(reference.Digest == resumed.Digest, $"epoch {saved[i].Epoch}: {resumed.DigestHex} vs {reference.DigestHex}");
            Assert.Null(EngineMatrix.Disagreement([("reference", reference), ("resumed", resumed)]));
        }

        Assert.True(held > 0 && outstanding > 0, $"no epoch caught memory traffic in flight ({held} held, {outstanding} outstanding)");
    }
}
