using Akka.Actor;
using Akka.Configuration;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Host.Runs;

/// <summary>
/// The actor system of one run: it hosts the actor engine (when that is the engine) and the checkpoint store (when
/// checkpoints are on), so both share one dispatcher set-up and one persistence configuration.
/// </summary>
internal sealed class RunSession : IAsyncDisposable
{
    private RunSession(ActorSystem system, RunSettings settings, CheckpointStore? store)
    {
        System = system;
        Settings = settings;
        Store = store;
    }

    public ActorSystem System { get; }

    public RunSettings Settings { get; }

    public CheckpointStore? Store { get; }

    /// <param name="akkaConfig">The run's merged configuration (its <c>akka</c> section applies).</param>
    /// <param name="db">The checkpoint store, or null for none.</param>
    /// <param name="createTables">True for a new run; false when reading an existing store (nothing is created).</param>
    public static RunSession Open(RunSettings settings, Config akkaConfig, CheckpointDb? db, bool createTables, string? runId)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = ActorEngine.DispatcherConfig(settings.Actors);
        if (db is not null)
        {
            config = config.WithFallback(db.PersistenceConfig(createTables));
        }

        var system = ActorSystem.Create("disco", config.WithFallback(akkaConfig));
        var store = db is null ? null : new CheckpointStore(system, runId ?? throw new ArgumentNullException(nameof(runId)));
        return new RunSession(system, settings, store);
    }

    public async Task<RunResult> ExecuteAsync(SimulationModel model, RunControl control, CheckpointImage? resume = null)
    {
        if (Settings.Engine == RunSettings.Sequential)
        {
            // The sequential kernel blocks: keep it off the caller's thread so progress and Ctrl-C stay responsive.
            return await Task.Factory.StartNew(() => SequentialKernel.Run(model, control, resume), TaskCreationOptions.LongRunning).ConfigureAwait(false);
        }

        var placement = ActorEngine.PlacementFor(model, Settings.Actors);
        return await ActorEngine.RunAsync(System, model, placement, Settings.Actors.EffectiveThreads, control, resume).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await System.Terminate().ConfigureAwait(false);
}
