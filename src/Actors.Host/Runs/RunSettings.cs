using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Host.Runs;

/// <summary>How a run is executed (engine, mapping, threads, progress): read from <c>disco.engine</c> and <c>disco.output</c>.</summary>
internal sealed record RunSettings(string Engine, ActorEngineOptions Actors, TimeSpan? ProgressInterval, SimTime? MetricsInterval = null, bool StateHashes = false, long MetricsFromPs = 0)
{
    public const string Sequential = "sequential";
    public const string ActorsEngine = "actors";

    public static RunSettings From(SimConfig config, bool cluster = false)
    {
        string engine = config.GetOneOf("disco.engine.kind", ActorsEngine, Sequential);
        string executor = config.GetOneOf("disco.engine.executor", "spinning", "fork-join", "thread-pool");
        if (cluster && config.SourceOf("disco.engine.executor").StartsWith(DefaultConfig.Name, StringComparison.Ordinal))
        {
            // Several processes share the cores in a cluster on one machine; threads that spin between windows
            // slow the others (measured: 317 K vs 503 K PHOLD events/s with the .NET pool on loopback).
            executor = "thread-pool";
        }

        int threads = config.GetInt("disco.engine.threads", 0, 1024);
        var actors = new ActorEngineOptions
        {
            // auto: one partition per thread, each a contiguous range of placement keys (whole FLASH nodes, PHOLD LP
            // ranges): measured faster than one actor per component on every model (README, Benchmarks).
            Partitions = config.GetString("disco.engine.partitions") switch
            {
                "auto" => new ActorEngineOptions { Threads = threads }.EffectiveThreads,
                var text when int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) => config.GetInt("disco.engine.partitions", 0, 1 << 24),
                var text => throw config.Error("disco.engine.partitions", $"'{text}' is not auto, 0 (one actor per component) or a number of partitions"),
            },
            Threads = threads,
            Throughput = config.GetInt("disco.engine.throughput", 1, 1 << 20),
            SpinIterations = config.GetInt("disco.engine.spin-iterations", 0, 1 << 30),
            Executor = executor switch
            {
                "fork-join" => EngineExecutor.ForkJoin,
                "thread-pool" => EngineExecutor.ThreadPool,
                _ => EngineExecutor.Spinning,
            },
        };
        SimTime? metrics = null;
        if (config.GetString("disco.output.metrics-interval") is not ("off" or "none" or ""))
        {
            var t = config.GetSimTime("disco.output.metrics-interval");
            metrics = t.Ps > 0 ? t : throw config.Error("disco.output.metrics-interval", "must be a positive simulated time or off");
        }

        bool hashes = config.GetBool("disco.output.state-hashes");
        if (hashes && metrics is null)
        {
            throw config.Error("disco.output.state-hashes", "state hashes are taken at metrics samples: set disco.output.metrics-interval too");
        }

        return new RunSettings(engine, actors, config.GetWallDuration("disco.output.progress-interval"), metrics, hashes, config.GetSimTime("disco.output.metrics-from").Ps);
    }
}
