using BenchmarkDotNet.Attributes;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;

namespace Disco.Actors.Benchmarks;

/// <summary>The engine's hot paths: the event queue, dispatch through the event loop, and outbox batching.</summary>
[MemoryDiagnoser]
public class EventQueueBenchmarks
{
    private Event[] _events = [];
    private EventQueue _queue = new();

    [Params(1_024, 16_384, 262_144)]
    public int Pending { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _events = [.. Enumerable.Range(0, Pending).Select(i => new Event(rng.NextInt64(1_000_000_000), rng.Next(1024), i, 0, PholdEvent.Instance))];
        _queue = new EventQueue(Pending);
        foreach (var e in _events)
        {
            _queue.Push(in e);
        }
    }

    /// <summary>The hold model: pop the earliest, push one later event (what a PHOLD step does to the queue).</summary>
    [Benchmark(OperationsPerInvoke = 100_000)]
    public long Hold()
    {
        long sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            var e = _queue.Pop();
            sum += e.TimePs;
            _queue.Push(new Event(e.TimePs + 1_100_000 + (i & 0xFFFF), e.Sender, e.Sequence + Pending, e.Target, e.Message));
        }

        return sum;
    }
}

[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private EventLoop _loop = null!;
    private long _endPs;

    /// <summary>One PHOLD event through the event loop: pop, digest, handler, RNG, send, push.</summary>
    [Benchmark(OperationsPerInvoke = 200_000)]
    public long PholdEvent()
    {
        long start = _loop.LastHandledPs;
        long handled = _loop.RunUntil(long.MaxValue, 200_000);
        _endPs = start;
        return handled;
    }

    [GlobalSetup]
    public void Setup()
    {
        var model = PholdModel.Build(new PholdParams(Lps: 1024, End: 1e9), seed: 1);
        _loop = new EventLoop(model, Placement.Single(model), 0);
        _loop.StartComponents();
    }

    public long End => _endPs;
}

[MemoryDiagnoser]
public class BatchingBenchmarks
{
    private readonly Outboxes _outboxes = new();

    [Params(1, 4, 16)]
    public int Destinations { get; set; }

    /// <summary>Adding 1,000 cross-partition events and cutting them into per-destination batches.</summary>
    [Benchmark(OperationsPerInvoke = 1_000)]
    public int AddAndDrain()
    {
        for (int i = 0; i < 1_000; i++)
        {
            _outboxes.Add(i % Destinations, new Event(i, 0, i, 0, PholdEvent.Instance));
        }

        return _outboxes.Drain().Count;
    }
}
