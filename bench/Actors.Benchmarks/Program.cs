using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Actors.Benchmarks -- --filter '*' --inProcess
BenchmarkSwitcher.FromAssembly(typeof(Disco.Actors.Benchmarks.EventQueueBenchmarks).Assembly).Run(args);
