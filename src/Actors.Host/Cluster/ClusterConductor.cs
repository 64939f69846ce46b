using Akka.Actor;
using Akka.Cluster;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;
using Disco.Actors.Host.Runs;

namespace Disco.Actors.Host.Cluster;

/// <summary>How <c>disco cluster conductor</c> was asked to run.</summary>
internal sealed record ClusterOptions(string Hostname, int Port, int Workers, bool AutoResume);

/// <summary>A worker left or became unreachable during a run.</summary>
internal sealed class ClusterMemberLostException : Exception
{
    public ClusterMemberLostException(string member, string how)
        : base($"lost worker {member} ({how}); the run is stopped")
    {
        Member = member;
    }

    public ClusterMemberLostException()
    {
        Member = "";
    }

    public ClusterMemberLostException(string message)
        : base(message)
    {
        Member = "";
    }

    public ClusterMemberLostException(string message, Exception innerException)
        : base(message, innerException)
    {
        Member = "";
    }

    public string Member { get; }
}

/// <summary>
/// The conductor's side of a cluster run: waits for the workers, hands each its contiguous share of the partitions
/// (by FLASH node, or by partition for PHOLD), runs the conductor over them, and stops cleanly, naming the member,
/// when a worker is lost.
/// </summary>
internal sealed class ClusterConductor
{
    private readonly ActorSystem _system;
    private readonly ClusterOptions _options;
    private readonly TextWriter _err;
    private int _attempt;

    public ClusterConductor(ActorSystem system, ClusterOptions options, TextWriter err)
    {
        _system = system;
        _options = options;
        _err = err;
    }

    public static Akka.Configuration.Config Config(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ClusterRuntime.RequireFreePort(options.Hostname, options.Port, "--port");
        string self = $"{options.Hostname}:{options.Port}";
        return ClusterSettings.For(ClusterSettings.ConductorRole, options.Hostname, options.Port, self).WithFallback(ClusterRuntime.Serialization());
    }

    /// <summary>Waits until <see cref="ClusterOptions.Workers"/> reachable workers are Up.</summary>
    public async Task<IReadOnlyList<Member>> WaitForWorkersAsync(CancellationToken cancel)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        int reported = -1;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToHashSet();
            var up = ClusterRuntime.UpWorkers(_system).Where(m => !unreachable.Contains(m.Address)).ToList();
            if (up.Count >= _options.Workers)
            {
                return up.Take(_options.Workers).ToList();
            }


            if (up.Count != reported)
            {
                reported = up.Count;
                _err.WriteLine($"disco: conductor on {_options.Hostname}:{_options.Port} waiting for {_options.Workers} workers ({up.Count} up); start them with: disco cluster worker --seed {_options.Hostname}:{_options.Port}");
            }

            await Task.Delay(100, cancel).ConfigureAwait(false);
        }
    }

    public async Task<RunResult> ExecuteAsync(
        SimulationModel model, RunSettings settings, string resolvedConfig, RunControl control, CheckpointImage? resume, ResumeSpec? resumeSpec)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(settings);
        var workers = await WaitForWorkersAsync(control.Stop).ConfigureAwait(false);

        ModelMessages.For(_system).Catalog = model.Messages;
        var placement = ActorEngine.PlacementFor(model, settings.Actors);
        // Every attempt (a first run, then each auto-resume) gets actors of its own names: nothing of an aborted
        // attempt still in flight can reach the next one.
        int attempt = ++_attempt;
        var (conductor, result) = ActorEngine.StartWithRemotePartitions(_system, model, placement, settings.Actors.EffectiveThreads, control, resume, $"conductor-{attempt}");
        var failure = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var addresses = workers.Select(w => w.Address).ToArray();
        var watcher = _system.ActorOf(Props.Create(() => new MemberWatch(addresses, failure)));
        var hosts = workers.Select(w => _system.ActorSelection($"{w.Address}/user/{ClusterSettings.WorkerHostName}")).ToList();
        int count = placement.PartitionCount;
        for (int i = 0; i < hosts.Count; i++)
        {
            int[] assigned = [.. Enumerable.Range(0, count).Where(p => (long)p * hosts.Count / Math.Max(1, count) == i)];
            hosts[i].Tell(new HostPartitions(ModelVersion.Model, resolvedConfig, settings.Actors.Partitions, assigned, conductor, resumeSpec, attempt), watcher);
        }

        try
        {
            var finished = await Task.WhenAny(result, failure.Task).ConfigureAwait(false);
            if (finished == failure.Task)
            {
                _system.Stop(conductor);
            }

            var outcome = await finished.ConfigureAwait(false);
            Tell(hosts, new RunFinished(0));
            return outcome;
        }
        catch
        {
            // With auto-resume the surviving workers stay for the next attempt; otherwise they exit too.
            Tell(hosts, new RunFinished(_options.AutoResume ? RunFinished.Aborted : 1));
            throw;
        }
        finally
        {
            _system.Stop(watcher);
        }
    }

    private static void Tell(List<ActorSelection> hosts, RunFinished message)
    {
        foreach (var h in hosts)
        {
            h.Tell(message);
        }
    }

    /// <summary>Fails the run when one of its workers is lost or refuses to take part.</summary>
    private sealed class MemberWatch : UntypedActor
    {
        private readonly HashSet<Address> _workers;
        private readonly TaskCompletionSource<RunResult> _failure;

        public MemberWatch(Address[] workers, TaskCompletionSource<RunResult> failure)
        {
            _workers = [.. workers];
            _failure = failure;
        }

        protected override void PreStart() =>
            Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case ClusterEvent.UnreachableMember u when _workers.Contains(u.Member.Address):
                    _failure.TrySetException(new ClusterMemberLostException(u.Member.Address.ToString(), "unreachable"));
                    break;
                case ClusterEvent.MemberRemoved r when _workers.Contains(r.Member.Address):
                    _failure.TrySetException(new ClusterMemberLostException(r.Member.Address.ToString(), "removed"));
                    break;
                case HostingRefused refused:
                    _failure.TrySetException(refused.BadInput
                        ? new BadInputException($"worker {refused.Worker}", refused.Reason)
                        : new InvalidOperationException($"worker {refused.Worker}: {refused.Reason}"));
                    break;
            }
        }
    }
}
