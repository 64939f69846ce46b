using Akka.Actor;
using Akka.Configuration;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;
using Disco.Actors.Host.Cluster;

namespace Disco.Actors.Host.Runs;

/// <summary>
/// The actor system of one run: it hosts the actor engine (when that is the engine), the checkpoint store (when
/// checkpoints are on) and, for a cluster run, the conductor's cluster node, so all share one configuration.
/// </summary>
internal sealed class RunSession : IAsyncDisposable
{
    private RunSession(ActorSystem system, RunSettings settings, CheckpointStore? store, CheckpointDb? db, ClusterConductor? cluster)
    {
        System = system;
        Settings = settings;
        Store = store;
        Db = db;
        Cluster = cluster;
    }

    public ActorSystem System { get; }

    public RunSettings Settings { get; }

    public CheckpointStore? Store { get; }

    public CheckpointDb? Db { get; }

    /// <summary>The cluster conductor when this run's partitions live on workers; null for one process.</summary>
    public ClusterConductor? Cluster { get; }

    /// <param name="akkaConfig">The run's merged configuration (its <c>akka</c> section applies).</param>
    /// <param name="db">The checkpoint store, or null for none.</param>
    /// <param name="createTables">True for a new run; false when reading an existing store (nothing is created).</param>
    /// <param name="cluster">Run the partitions on cluster workers, with this node as the conductor.</param>
    public static RunSession Open(RunSettings settings, Config akkaConfig, CheckpointDb? db, bool createTables, string? runId, ClusterOptions? cluster = null, TextWriter? err = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var config = ActorEngine.DispatcherConfig(settings.Actors);
        if (cluster is not null)
        {
            config = ClusterConductor.Config(cluster).WithFallback(config);
        }

        if (db is not null)
        {
            config = config.WithFallback(db.PersistenceConfig(createTables));
        }

        var system = ActorSystem.Create(cluster is null ? "disco" : ClusterSettings.SystemName, config.WithFallback(akkaConfig));
        var store = db is null ? null : new CheckpointStore(system, runId ?? throw new ArgumentNullException(nameof(runId)));
        var conductor = cluster is null ? null : new ClusterConductor(system, cluster, err ?? TextWriter.Null);
        return new RunSession(system, settings, store, db, conductor);
    }

    /// <param name="resolvedConfig">The run's resolved configuration (sent to cluster workers).</param>
    /// <param name="resumeEpoch">The epoch <paramref name="resume"/> came from (cluster workers load it themselves).</param>
    public async Task<RunResult> ExecuteAsync(SimulationModel model, RunControl control, CheckpointImage? resume, string resolvedConfig, CheckpointCompleted? resumeEpoch)
    {
        ArgumentNullException.ThrowIfNull(control);
        if (Cluster is not null)
        {
            ResumeSpec? spec = resumeEpoch is null || Store is null || Db is null
                ? null
                : new ResumeSpec(Store.RunId, Db.ConnectionString, resumeEpoch.Epoch, resumeEpoch.SimTimePs, resumeEpoch.Events, resumeEpoch.WallUnixMs, resumeEpoch.Chunks, resumeEpoch.Bytes, resumeEpoch.ImageChecksum);
            return await Cluster.ExecuteAsync(model, Settings, resolvedConfig, control, resume, spec).ConfigureAwait(false);
        }

        if (Settings.Engine == RunSettings.Sequential)
        {
            // The sequential kernel blocks: keep it off the caller's thread so progress and Ctrl-C stay responsive.
            return await Task.Factory.StartNew(() => SequentialKernel.Run(model, control, resume), TaskCreationOptions.LongRunning).ConfigureAwait(false);
        }

        var placement = ActorEngine.PlacementFor(model, Settings.Actors);
        return await ActorEngine.RunAsync(System, model, placement, Settings.Actors.EffectiveThreads, control, resume).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await ClusterRuntime.LeaveAsync(System).ConfigureAwait(false);
            return;
        }

        await System.Terminate().ConfigureAwait(false);
    }
}
