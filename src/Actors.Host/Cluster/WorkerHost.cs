using Akka.Actor;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cluster;

/// <summary>
/// A worker's one permanent actor (<c>/user/worker-host</c>): builds the run's model from the configuration the
/// conductor sends, creates its share of the partitions (restored from the shared store when resuming), and reports
/// a failing partition to the conductor instead of restarting it (a restarted component would not be deterministic).
/// </summary>
internal sealed class WorkerHost : UntypedActor
{
    private readonly string _dispatcher;
    private readonly TaskCompletionSource<int> _exit;
    private readonly Dictionary<IActorRef, int> _partitionOf = [];
    private IActorRef _conductor = ActorRefs.Nobody;

    public WorkerHost(string dispatcher, TaskCompletionSource<int> exit)
    {
        _dispatcher = dispatcher;
        _exit = exit;
    }

    public static Props Props(string dispatcher, TaskCompletionSource<int> exit) => Akka.Actor.Props.Create(() => new WorkerHost(dispatcher, exit));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(ex =>
        {
            int partition = _partitionOf.GetValueOrDefault(Sender, -1);
            _conductor.Tell(new PartitionFailed(partition, ex.Message, ex is BadInputException));
            return Directive.Stop;
        });

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case HostPartitions host:
                Host(host);
                break;
            case RunFinished finished:
                foreach (var child in Context.GetChildren())
                {
                    Context.Stop(child);
                }

                _partitionOf.Clear();
                if (finished.ExitCode != RunFinished.Aborted)
                {
                    _exit.TrySetResult(finished.ExitCode == 0 ? 0 : 1);
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Host(HostPartitions host)
    {
        _conductor = host.Conductor;
        string me = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        var replyTo = Sender;
        string version = WorkerVersion.Current;
        if (host.ModelVersion != version)
        {
            Refuse(replyTo, me, $"this worker runs model {version}, the conductor {host.ModelVersion}", badInput: true);
            return;
        }

        try
        {
            var config = SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, host.ResolvedConfig, "the conductor's configuration", []);
            var model = ModelCatalog.Build(config);
            var placement = host.Partitions <= 0 ? Placement.OnePerComponent(model) : Placement.Partitioned(model, host.Partitions);
            ModelMessages.For(Context.System).Catalog = model.Messages;
            var image = host.Resume is { } resume ? LoadCheckpoint(resume, model) : null;

            var refs = PartitionHosting.Create(Context, model, placement, host.Assigned, host.Conductor, _dispatcher, image, $"a{host.Attempt}-");
            for (int i = 0; i < refs.Length; i++)
            {
                _partitionOf[refs[i]] = host.Assigned[i];
            }

            host.Conductor.Tell(new PartitionsHosted(host.Assigned, refs));
        }
        catch (Exception ex) when (ex is BadInputException or CorruptStateException)
        {
            Refuse(replyTo, me, ex.Message, badInput: true);
        }
    }

    /// <summary>Answers whoever asked (the conductor node's member watch), which fails the run with this reason.</summary>
    private void Refuse(IActorRef replyTo, string me, string reason, bool badInput)
    {
        replyTo.Tell(new HostingRefused(me, reason, badInput));
        _exit.TrySetResult(badInput ? 2 : 1);
    }

    /// <summary>Reads the epoch from the shared store through a short-lived actor system that has persistence configured.</summary>
    private static CheckpointImage LoadCheckpoint(ResumeSpec resume, SimulationModel model)
    {
        var db = CheckpointDb.Parse(resume.Db);
        var config = db.PersistenceConfig(createTables: false).WithFallback("akka.loglevel = WARNING");
        var loader = ActorSystem.Create("disco-loader", config);
        try
        {
            var store = new CheckpointStore(loader, resume.RunId);
            var epoch = new CheckpointCompleted(resume.Epoch, resume.SimTimePs, resume.Events, resume.WallUnixMs, resume.Chunks, resume.Bytes, 0, 0, resume.ImageChecksum);
            var image = store.LoadEpochAsync(epoch, model).GetAwaiter().GetResult();
            image.LoadInto(model);
            return image;
        }
        finally
        {
            loader.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }
}

/// <summary>The model version a worker announces. <c>DISCO_MODEL_VERSION</c> overrides it (tests of mixed versions).</summary>
internal static class WorkerVersion
{
    public static string Current => Environment.GetEnvironmentVariable("DISCO_MODEL_VERSION") is { Length: > 0 } v ? v : ModelVersion.Model;
}
