using System.CommandLine;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Cluster;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// <c>disco cluster conductor --port P --workers K [--auto-resume] run|resume ...</c> and
/// <c>disco cluster worker --seed HOST:PORT</c>: one run over several processes or machines on Akka.Cluster.
/// </summary>
internal static class ClusterCommand
{
    public static Command Create(CliIo io)
    {
        var port = new Option<int>("--port") { Description = "Port the conductor listens on (it is also the cluster's seed).", Required = true, Recursive = true };
        var workers = new Option<int>("--workers") { Description = "Workers the run waits for before it starts.", Required = true, Recursive = true };
        var hostname = new Option<string>("--hostname") { Description = "Address to bind and announce (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1", Recursive = true };
        var autoResume = new Option<bool>("--auto-resume") { Description = "When a worker is lost, resume from the last completed checkpoint once enough workers are up again.", Recursive = true };

        ClusterOptions Options(ParseResult parse)
        {
            int k = parse.GetValue(workers);
            int p = parse.GetValue(port);
            if (k < 1)
            {
                throw new BadInputException("--workers", $"must be at least 1 (got {k})");
            }

            if (p is < 1 or > 65535)
            {
                throw new BadInputException("--port", $"must be a port number 1-65535 (got {p})");
            }

            return new ClusterOptions(parse.GetValue(hostname)!, p, k, parse.GetValue(autoResume));
        }

        var conductor = new Command("conductor", "Conduct a run whose partitions are hosted by cluster workers.")
        {
            port, workers, hostname, autoResume,
            RunCommand.Create(io, Options),
            ResumeCommand.CreateResume(io, Options),
        };

        var seed = new Option<string>("--seed") { Description = "The conductor's HOST:PORT.", Required = true };
        var workerPort = new Option<int>("--port") { Description = "Port this worker listens on (default: any free one)." };
        var workerHost = new Option<string>("--hostname") { Description = "Address to bind and announce (default 127.0.0.1).", DefaultValueFactory = _ => "127.0.0.1" };
        var threads = new Option<int>("--threads") { Description = "Dispatcher threads (default: one per core)." };
        var executor = new Option<string>("--executor") { Description = "spinning, fork-join or thread-pool (default thread-pool: several processes share the cores).", DefaultValueFactory = _ => "thread-pool" };
        executor.AcceptOnlyFromAmong("spinning", "fork-join", "thread-pool");
        var worker = new Command("worker", "Join a conductor's cluster and host partitions until the run ends.") { seed, workerPort, workerHost, threads, executor };
        worker.SetAction(async (parse, cancel) =>
        {
            string s = parse.GetValue(seed)!;
            int colon = s.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(s.AsSpan(colon + 1), out int seedPort) || seedPort is < 1 or > 65535)
            {
                throw new BadInputException("--seed", $"expected HOST:PORT, got '{s}'");
            }

            var engine = new Engine.Actors.ActorEngineOptions
            {
                Threads = parse.GetValue(threads),
                Executor = parse.GetValue(executor) switch
                {
                    "spinning" => Engine.Actors.EngineExecutor.Spinning,
                    "fork-join" => Engine.Actors.EngineExecutor.ForkJoin,
                    _ => Engine.Actors.EngineExecutor.ThreadPool,
                },
            };
            return await WorkerNode.RunAsync(io, parse.GetValue(workerHost)!, parse.GetValue(workerPort), s, engine, cancel).ConfigureAwait(false);
        });

        return new Command("cluster", "Runs across processes and machines (Akka.Cluster).") { conductor, worker };
    }
}
