using BenchmarkDotNet.Attributes;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;

namespace Disco.Actors.Benchmarks;

/// <summary>
/// The sequential kernel against the plainest PHOLD one can write in C# (PHOLD.md's model, a
/// <see cref="PriorityQueue{TElement, TPriority}"/> of (LP) by (time, sender, sequence), the same per-LP random
/// streams): the ratio is what the engine's generality costs per event (issue 17's target: at least 0.85).
/// </summary>
[MemoryDiagnoser]
public class PholdBaselineBenchmarks
{
    private const int Events = 200_000;
    private static readonly PholdParams Defaults = new(End: 1e9);

    private EventLoop _loop = null!;
    private PriorityQueue<int, (long TimePs, int Sender, long Sequence)> _queue = null!;
    private SimRandom[] _random = [];
    private long[] _sequence = [];

    [Params(1_024, 16_384)]
    public int Lps { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var p = Defaults with { Lps = Lps };
        var model = PholdModel.Build(p, seed: 1);
        _loop = new EventLoop(model, Placement.Single(model), 0);
        _loop.StartComponents();

        _queue = new PriorityQueue<int, (long, int, long)>(Lps * p.Population);
        _random = [.. Enumerable.Range(0, Lps).Select(i => SimRandom.ForComponent(1, new ComponentId(i)))];
        _sequence = new long[Lps];
        for (int lp = 0; lp < Lps; lp++)
        {
            for (int k = 0; k < p.Population; k++)
            {
                _queue.Enqueue(lp, (p.ExponentialPartPs(_random[lp].NextExponentialPs(p.MeanPs)), lp, _sequence[lp]++));
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long PlainLoop()
    {
        var p = Defaults;
        long lookaheadPs = p.LookaheadTime.Ps;
        long handled = 0;
        for (int i = 0; i < Events; i++)
        {
            _queue.TryDequeue(out int lp, out var at);
            handled++;
            var random = _random[lp];
            int target = random.NextDouble() < p.Remote ? OtherLp(random, lp) : lp;
            long delay = lookaheadPs + p.ExponentialPartPs(random.NextExponentialPs(p.MeanPs));
            _queue.Enqueue(target, (at.TimePs + delay, lp, _sequence[lp]++));
        }

        return handled;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long SequentialKernel() => _loop.RunUntil(long.MaxValue, Events);

    private int OtherLp(SimRandom random, int self)
    {
        int other = random.NextInt(Lps - 1);
        return other >= self ? other + 1 : other;
    }
}
