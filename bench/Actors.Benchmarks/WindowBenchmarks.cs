using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;

namespace Disco.Actors.Benchmarks;

/// <summary>
/// The cost of one conservative window: a PHOLD whose lookahead (0.001) leaves a handful of events per window, so the
/// run is nearly all synchronization. Divide the time by <c>RunResult.Stats.Windows</c> (printed once per setup) for
/// the wall time of one window. 2 partitions use peer windows, 32 the conductor's (PeerWindows.MaxPartitions is 16).
/// </summary>
public class WindowBenchmarks
{
    private ActorSystem _system = null!;

    [Params(2, 32)]
    public int Partitions { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new ActorEngineOptions { Threads = 2 };
        _system = ActorSystem.Create("bench", ActorEngine.DispatcherConfig(options).WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING")));
        var result = Run();
        Console.WriteLine($"// {Partitions} partitions: {result.Stats!.Windows} windows, {result.Stats.EventsPerWindow:F1} events per window");
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary>PHOLD N=1024, P=16, L=0.001, END 5: about 2,500 windows of some 30 events.</summary>
    [Benchmark]
    public long TinyWindows() => Run().Events;

    private Engine.Run.RunResult Run()
    {
        var model = PholdModel.Build(new PholdParams(Lps: 1024, Population: 16, Lookahead: 0.001, End: 5), seed: 1);
        return ActorEngine.RunAsync(_system, model, Placement.Partitioned(model, Partitions), 2).GetAwaiter().GetResult();
    }
}
