using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Checkpoints;

public class PostgresResumeTests
{
    [SkippableFact]
    public async Task Checkpoints_in_PostgreSQL_resume_to_the_uninterrupted_digest()
    {
        var db = CheckpointDb.Parse(Postgres.Require());
        static Engine.Model.SimulationModel Build() => PholdModel.Build(new PholdParams(Lps: 40, Population: 6, End: 80), seed: 9);
        await using var h = CheckpointHarness.Create(db, runId: "pg-" + Guid.NewGuid().ToString("N"));
        var reference = EngineMatrix.Sequential(Build);
        var saved = new List<CheckpointCompleted>();
        var full = h.Run(Build(), 3, new RunControl { Checkpoints = new CheckpointPolicy { Every = SimTime.FromUs(25), Save = h.Store.SaveEpochAsync, Saved = saved.Add } });
        Assert.Equal(reference.Digest, full.Digest);
        Assert.Equal(3, saved.Count);
        foreach (var epoch in (await h.Store.ReadJournalAsync()).Completed)
        {
            Assert.Equal(reference.Digest, h.Resume(Build, epoch, epoch.Epoch % 2 == 0 ? -1 : 2).Digest);
        }
    }
}
