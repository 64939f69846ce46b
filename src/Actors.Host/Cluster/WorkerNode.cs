using Akka.Actor;
using Akka.Cluster;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Host.Cli;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cluster;

/// <summary>
/// <c>disco cluster worker</c>: joins the conductor's cluster, hosts the partitions it is given, and exits when the
/// run ends (0), when it refuses the run (2), or when it loses the conductor (1).
/// </summary>
internal static class WorkerNode
{
    public static async Task<int> RunAsync(CliIo io, string hostname, int port, string seed, ActorEngineOptions engine, CancellationToken cancel)
    {
        ClusterRuntime.RequireFreePort(hostname, port, "--port");
        var defaults = Engine.Configuration.SimConfig.Load(DefaultConfig.Text, DefaultConfig.Name, null, null, []);
        var config = ClusterSettings.For(ClusterSettings.WorkerRole, hostname, port, seed)
            .WithFallback(ActorEngine.DispatcherConfig(engine))
            .WithFallback(ClusterRuntime.Serialization())
            .WithFallback(defaults.Merged);
        var system = ActorSystem.Create(ClusterSettings.SystemName, config);
        try
        {
            // The host exists before this node is Up: the conductor may send work as soon as it sees the node Up,
            // which can be before this node learns it is.
            var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(WorkerHost.Props(ActorEngine.DispatcherId, exit), ClusterSettings.WorkerHostName);
            await ClusterRuntime.WaitUntilUp(system, seed).ConfigureAwait(false);
            var cluster = Akka.Cluster.Cluster.Get(system);
            var lost = system.ActorOf(Props.Create(() => new ConductorWatch(exit)));
            cluster.Subscribe(lost, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));
            io.Err.WriteLine($"disco: worker {cluster.SelfAddress} joined {seed}; waiting for work");
            using var registration = cancel.Register(() => exit.TrySetResult(1));
            int code = await exit.Task.ConfigureAwait(false);
            if (code == 1 && !cancel.IsCancellationRequested)
            {
                io.Err.WriteLine("disco: lost the conductor; this worker stops");
            }

            return code;
        }
        finally
        {
            await ClusterRuntime.LeaveAsync(system).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the worker when the conductor becomes unreachable or leaves.</summary>
    private sealed class ConductorWatch(TaskCompletionSource<int> exit) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case ClusterEvent.UnreachableMember u when u.Member.HasRole(ClusterSettings.ConductorRole):
                case ClusterEvent.MemberRemoved r when r.Member.HasRole(ClusterSettings.ConductorRole):
                    exit.TrySetResult(1);
                    break;
            }
        }
    }
}
