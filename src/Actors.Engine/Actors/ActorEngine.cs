using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>How the actor engine maps components to actors and threads.</summary>
public sealed record ActorEngineOptions
{
    /// <summary>0: one actor per component (the default mapping). K &gt; 0: K partition actors.</summary>
    public int Partitions { get; init; }

    /// <summary>Dispatcher threads; 0 means one per core.</summary>
    public int Threads { get; init; }

    /// <summary>Messages an actor handles before its thread moves on to another actor.</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>Which threads run the actors: <see cref="EngineExecutor.Spinning"/> by default.</summary>
    public EngineExecutor Executor { get; init; } = EngineExecutor.Spinning;

    /// <summary>How long an idle spinning thread polls for work before it sleeps (units of 50 pause instructions).</summary>
    public int SpinIterations { get; init; } = 2000;

    /// <summary>
    /// Groups of the two-level conductor (<see cref="GroupConductor"/>), used with more partitions than peer windows
    /// take: 0 = 16 (see the Engine README); a count from 1 (one group) to the partitions (one each) for tests and measurements.
    /// </summary>
    public int ConductorGroups { get; init; }

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}

/// <summary>The thread pools the engine's dispatcher can run on.</summary>
public enum EngineExecutor
{
    /// <summary>Dedicated threads that spin briefly between windows (<see cref="SpinningExecutor"/>).</summary>
    Spinning,

    /// <summary>Akka's dedicated thread pool (fork-join-executor).</summary>
    ForkJoin,

    /// <summary>The .NET thread pool (Akka's default-executor).</summary>
    ThreadPool,
}

/// <summary>The parallel engine: components hosted by actors, synchronized in conservative windows by a conductor.</summary>
public static class ActorEngine
{
    public const string EngineName = "actors";
    public const string DispatcherId = "disco-engine-dispatcher";

    public static Placement PlacementFor(SimulationModel model, ActorEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Partitions <= 0 ? Placement.OnePerComponent(model) : Placement.Partitioned(model, options.Partitions);
    }

    /// <summary>Binds the engine's protocol to its binary serializer (needed when partitions live in other processes).</summary>
    public static Config SerializationConfig() =>
        AkkaTypes.SerializerBinding("disco-engine", typeof(EngineMessageSerializer), typeof(IEngineMessage));

    /// <summary>Akka settings of the engine's dispatcher: dedicated threads, so the run does not share the .NET pool.</summary>
    public static Config DispatcherConfig(ActorEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string threads = options.EffectiveThreads.ToString(CultureInfo.InvariantCulture);
        string throughput = options.Throughput.ToString(CultureInfo.InvariantCulture);
        string executor = options.Executor switch
        {
            EngineExecutor.ForkJoin => "fork-join-executor",
            EngineExecutor.ThreadPool => "default-executor",
            _ => "\"" + AkkaTypes.Name(typeof(SpinningExecutorConfigurator)) + "\"",
        };
        string spin = options.SpinIterations.ToString(CultureInfo.InvariantCulture);
        return ConfigurationFactory.ParseString($$"""
            {{DispatcherId}} {
              type = Dispatcher
              executor = {{executor}}
              spinning-executor { threads = {{threads}}, spin-iterations = {{spin}} }
              fork-join-executor { parallelism-min = {{threads}}, parallelism-factor = 1.0, parallelism-max = {{threads}} }
              throughput = {{throughput}}
            }
            """);
    }

    /// <summary>Runs the model in a private actor system, which is shut down afterwards.</summary>
    public static async Task<RunResult> RunAsync(SimulationModel model, ActorEngineOptions options, RunControl? control = null, Config? akkaConfig = null, CheckpointImage? resume = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = DispatcherConfig(options)
            .WithFallback(akkaConfig ?? ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING"));
        var system = ActorSystem.Create("disco", config);
        try
        {
            return await RunAsync(system, model, PlacementFor(model, options), options.EffectiveThreads, control, resume, options.ConductorGroups).ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Starts a run whose partitions are hosted elsewhere (cluster workers): returns the conductor, to which the
    /// hosts send <see cref="PartitionsHosted"/>, and the run's result.
    /// </summary>
    public static (IActorRef Conductor, Task<RunResult> Result) StartWithRemotePartitions(ActorSystem system, SimulationModel model, Placement placement, int threads, RunControl? control = null, CheckpointImage? resume = null, string name = "conductor")
    {
        ArgumentNullException.ThrowIfNull(system);
        var done = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        string dispatcher = system.Settings.Config.HasPath(DispatcherId) ? DispatcherId : "akka.actor.default-dispatcher";
        var conductor = system.ActorOf(Conductor.Props(model, placement, dispatcher, threads, control ?? RunControl.None, resume, done, remotePartitions: true), name);
        return (conductor, done.Task);
    }

    /// <summary>Runs the model in an existing actor system (tests, cluster) whose config defines <see cref="DispatcherId"/>.</summary>
    /// <param name="conductorGroups">See <see cref="ActorEngineOptions.ConductorGroups"/>.</param>
    public static Task<RunResult> RunAsync(ActorSystem system, SimulationModel model, Placement placement, int threads, RunControl? control = null, CheckpointImage? resume = null, int conductorGroups = 0)
    {
        ArgumentNullException.ThrowIfNull(system);
        var done = new TaskCompletionSource<RunResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        string dispatcher = system.Settings.Config.HasPath(DispatcherId) ? DispatcherId : "akka.actor.default-dispatcher";
        system.ActorOf(Conductor.Props(model, placement, dispatcher, threads, control ?? RunControl.None, resume, done, groups: conductorGroups), "conductor-" + Guid.NewGuid().ToString("N")[..8]);
        return done.Task;
    }
}
