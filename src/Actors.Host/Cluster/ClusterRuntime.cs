using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Cluster;

/// <summary>Creating, joining and leaving the cluster, with bad input (busy port, unreachable seed) named clearly.</summary>
internal static class ClusterRuntime
{
    /// <summary>How long a worker tries to join its seed: <c>DISCO_JOIN_TIMEOUT</c> seconds, default 15.</summary>
    public static TimeSpan JoinTimeout =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("DISCO_JOIN_TIMEOUT"), out int s) && s > 0 ? s : 15);

    /// <summary>The binary serializers of everything that crosses processes.</summary>
    public static Config Serialization() =>
        AkkaTypes.SerializerBinding("disco-cluster", typeof(ClusterMessageSerializer), typeof(IClusterMessage))
            .WithFallback(ActorEngine.SerializationConfig());

    /// <summary>Refuses a port another process holds before Akka tries to bind it (its own error is a stack trace).</summary>
    public static void RequireFreePort(string hostname, int port, string option)
    {
        if (port == 0)
        {
            return;
        }

        try
        {
            var address = IPAddress.TryParse(hostname, out var ip) ? ip : Dns.GetHostAddresses(hostname).First();
            using var probe = new TcpListener(address, port);
            probe.Start();
            probe.Stop();
        }
        catch (SocketException ex)
        {
            throw new BadInputException(option, $"cannot listen on {hostname}:{port}: {ex.Message}");
        }
    }

    /// <summary>Waits until this node is Up in the cluster; an unreachable seed is bad input.</summary>
    public static async Task WaitUntilUp(ActorSystem system, string seed)
    {
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
        if (await Task.WhenAny(up.Task, Task.Delay(JoinTimeout)).ConfigureAwait(false) != up.Task)
        {
            throw new BadInputException("--seed", $"cannot join the cluster at {seed} within {JoinTimeout.TotalSeconds:F0} s (is a conductor listening there?)");
        }
    }

    public static async Task LeaveAsync(ActorSystem system)
    {
        try
        {
            await Akka.Cluster.Cluster.Get(system).LeaveAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Leaving is a courtesy to the others; a run that ended does not wait for it.
        }

        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    public static IEnumerable<Member> UpWorkers(ActorSystem system) =>
        Akka.Cluster.Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterSettings.WorkerRole)).OrderBy(m => m.Address.ToString(), StringComparer.Ordinal);
}
