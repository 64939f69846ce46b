using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Phold;

var p = new PholdParams(Lps: int.Parse(args[0]), End: double.Parse(args[1]), Remote: double.Parse(Environment.GetEnvironmentVariable("REMOTE") ?? "0.9"));
int[] parts = args.Length > 2 ? [.. args[2].Split(',').Select(int.Parse)] : [0, 2];
int threads = args.Length > 3 ? int.Parse(args[3]) : 2;
var seq = Environment.GetEnvironmentVariable("NOSEQ") is null ? SequentialKernel.Run(PholdModel.Build(p, 1)) : SequentialKernel.Run(PholdModel.Build(p with { End = 1 }, 1));
Console.WriteLine($"seq {seq.DigestHex} {seq.Events} {seq.EventsPerSecond:N0}/s expected {p.ExpectedEvents:N0}");
foreach (var d in Directory.GetDirectories("/proc/self/task")) { var c = File.ReadAllText(d + "/comm").Trim(); if (c.StartsWith("disco")) Console.Write(c + " "); }
Console.WriteLine($"gc0={GC.CollectionCount(0)} gc1={GC.CollectionCount(1)} gc2={GC.CollectionCount(2)} alloc={GC.GetTotalAllocatedBytes()/1e6:N0}MB server={System.Runtime.GCSettings.IsServerGC}");
foreach (int k in parts.Concat(parts))
{
    var r = await ActorEngine.RunAsync(PholdModel.Build(p, 1), new ActorEngineOptions { Partitions = k, Threads = threads });
    foreach (var d in Directory.GetDirectories("/proc/self/task")) { var c = File.ReadAllText(d + "/comm").Trim(); if (c.StartsWith("disco")) Console.Write(c + " "); }
    Console.WriteLine($"actors k={k} {r.DigestHex} {r.Events} {r.EventsPerSecond:N0}/s gc0={GC.CollectionCount(0)} gc1={GC.CollectionCount(1)} gc2={GC.CollectionCount(2)} alloc={GC.GetTotalAllocatedBytes()/1e6:N0}MB");
}
