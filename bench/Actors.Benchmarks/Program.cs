using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Phold;

var p = new PholdParams(Lps: int.Parse(args[0]), End: double.Parse(args[1]));
var seq = SequentialKernel.Run(PholdModel.Build(p, 1));
Console.WriteLine($"seq {seq.DigestHex} {seq.Events} {seq.EventsPerSecond:N0}/s expected {p.ExpectedEvents:N0}");
foreach (int parts in new[] { 0, 1, 2, 4, 7 })
{
    var r = await ActorEngine.RunAsync(PholdModel.Build(p, 1), new ActorEngineOptions { Partitions = parts, Threads = 2 });
    Console.WriteLine($"actors k={parts} {r.DigestHex} {r.Events} {r.EventsPerSecond:N0}/s");
}
