using Akka.Actor;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Testing;

/// <summary>
/// A checkpoint store on a fresh SQLite file (or a given database) with an actor system that can also run the actor
/// engine, for tests that checkpoint a run and resume it.
/// </summary>
public sealed class CheckpointHarness : IAsyncDisposable
{
    private CheckpointHarness(ActorSystem system, CheckpointStore store, CheckpointDb db)
    {
        System = system;
        Store = store;
        Db = db;
    }

    public ActorSystem System { get; }

    public CheckpointStore Store { get; }

    public CheckpointDb Db { get; }

    public static CheckpointHarness Create(CheckpointDb? db = null, string runId = "test-run", int threads = 2, string? extraConfig = null)
    {
        db ??= CheckpointDb.Sqlite(Path.Combine(Repo.TempDir("ckpt"), "checkpoints.db"));
        db.Verify(mustHoldRuns: false, "test");
        var config = Akka.Configuration.ConfigurationFactory.ParseString(extraConfig ?? "").WithFallback(ActorEngine.DispatcherConfig(new ActorEngineOptions { Threads = threads, SpinIterations = 200 })
            .WithFallback(ActorEngine.SerializationConfig())
            .WithFallback(db.PersistenceConfig(createTables: true))
            .WithFallback("akka.loglevel = WARNING"));
        var system = ActorSystem.Create("checkpoint-test", config);
        return new CheckpointHarness(system, new CheckpointStore(system, runId), db);
    }

    public CheckpointPolicy Policy(SimTime every, long firstEpoch = 1, long startPs = 0) =>
        new() { Every = every, Save = Store.SaveEpochAsync, FirstEpoch = firstEpoch, StartPs = startPs };

    /// <summary>Runs on the sequential kernel (partitions &lt; 0) or the actor engine with the given mapping.</summary>
    public RunResult Run(SimulationModel model, int partitions, RunControl control, CheckpointImage? resume = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (partitions < 0)
        {
            return SequentialKernel.Run(model, control, resume);
        }

        var placement = partitions == 0 ? Placement.OnePerComponent(model) : Placement.Partitioned(model, partitions);
        return ActorEngine.RunAsync(System, model, placement, 2, control, resume).GetAwaiter().GetResult();
    }

    /// <summary>Loads <paramref name="epoch"/> into a freshly built model and runs it to the end.</summary>
    public RunResult Resume(Func<SimulationModel> build, CheckpointCompleted epoch, int partitions, RunControl? control = null)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(epoch);
        var model = build();
        var image = Store.LoadEpochAsync(epoch, model).GetAwaiter().GetResult();
        image.LoadInto(model);
        return Run(model, partitions, control ?? RunControl.None, image);
    }

    public async ValueTask DisposeAsync() => await System.Terminate();

}
