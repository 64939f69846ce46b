using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Kernel;

public class TieOrderTests
{
    private static readonly SimTime Latency = SimTime.FromNs(100);

    /// <summary>Senders 0..3 each send two messages to component 4, all arriving at 100 ns.</summary>
    private static (Func<SimulationModel> Build, Func<ScriptedComponent> Sink) FourSenders(TieOrder order)
    {
        ScriptedComponent? sink = null;
        SimulationModel Build()
        {
            var components = new List<Component>();
            for (int s = 0; s < 4; s++)
            {
                int id = s;
                components.Add(new ScriptedComponent(id, c => { c.Send(new(4), Latency, new Note($"{id}a")); c.Send(new(4), Latency, new Note($"{id}b")); }));
            }

            sink = new ScriptedComponent(4);
            components.Add(sink);
            return new SimulationModel("test", components, new LinkTable(components.Count, Latency), SimTime.FromUs(1), seed: 1) { TieOrder = order };
        }

        return (Build, () => sink!);
    }

    private static List<string> Labels(ScriptedComponent sink) => [.. sink.Received.Select(h => h.Label)];

    [Fact]
    public void Reverse_order_takes_same_time_senders_from_the_highest_id_and_keeps_each_senders_order()
    {
        var (build, sink) = FourSenders(new TieOrder(TieOrderKind.Reverse));
        foreach (var (layout, _) in EngineMatrix.RunAll(build, partitions: [0, 2]))
        {
            Assert.True(Labels(sink()).SequenceEqual(["3a", "3b", "2a", "2b", "1a", "1b", "0a", "0b"]), layout);
        }
    }

    [Fact]
    public void Seeded_orders_permute_senders_the_same_way_on_every_layout_and_keep_each_senders_order()
    {
        var seen = new HashSet<string>();
        for (long k = 1; k <= 8; k++)
        {
            var (build, sink) = FourSenders(new TieOrder(TieOrderKind.Seeded, k));
            List<string>? first = null;
            foreach (var (layout, _) in EngineMatrix.RunAll(build, partitions: [0, 2], threads: [1, 2]))
            {
                var labels = Labels(sink());
                first ??= labels;
                Assert.True(first.SequenceEqual(labels), $"seeded:{k} on {layout}: {string.Join(",", labels)} vs {string.Join(",", first)}");
                for (int s = 0; s < 4; s++)
                {
                    Assert.True(labels.IndexOf($"{s}a") + 1 == labels.IndexOf($"{s}b"), $"seeded:{k}: sender {s}'s two messages must stay in order and together");
                }
            }

            seen.Add(string.Join(",", first!));
        }

        // 8 seeds over 4! = 24 sender orders: a real permutation gives several distinct orders.
        Assert.True(seen.Count >= 4, $"only {seen.Count} distinct orders from 8 seeds");
    }

    [Fact]
    public void A_seeded_rank_is_a_permutation_of_every_sender_id()
    {
        var order = new TieOrder(TieOrderKind.Seeded, 42);
        var taken = new bool[1 << TieOrder.SenderBits];
        for (int sender = 0; sender < taken.Length; sender++)
        {
            int rank = order.Rank(target: 7, timePs: 123_456, sender);
            Assert.False(taken[rank], $"rank {rank} given twice");
            taken[rank] = true;
        }
    }

    [Theory]
    [InlineData("reverse")]
    [InlineData("seeded:5")]
    public void The_queue_pops_in_time_then_rank_then_sequence_order(string text)
    {
        var order = TieOrder.TryParse(text, out _)!.Value;
        var rng = new Random(3);
        var queue = new EventQueue(4, order);
        var all = new List<Event>();
        for (int i = 0; i < 3000; i++)
        {
            var e = new Event(rng.Next(10), rng.Next(6), i, rng.Next(3), PholdEvent.Instance);
            all.Add(e);
            queue.Push(in e);
        }

        var expected = all.OrderBy(x => x.TimePs).ThenBy(x => order.Rank(x.Target, x.TimePs, x.Sender)).ThenBy(x => x.Sequence).Select(x => (x.Sequence, x.Sender, x.Target)).ToList();
        var actual = new List<(long, int, int)>();
        while (queue.Count > 0)
        {
            var e = queue.Pop();
            actual.Add((e.Sequence, e.Sender, e.Target));
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Arrival_order_pops_same_time_events_in_push_order()
    {
        var queue = new EventQueue(4, new TieOrder(TieOrderKind.Arrival));
        queue.Push(new Event(5, 3, 10, 0, PholdEvent.Instance));
        queue.Push(new Event(5, 1, 20, 0, PholdEvent.Instance));
        queue.Push(new Event(2, 9, 30, 0, PholdEvent.Instance));
        Assert.Equal([(2L, 9, 30L), (5L, 3, 10L), (5L, 1, 20L)], [.. Enumerable.Range(0, 3).Select(_ => queue.Pop()).Select(e => (e.TimePs, e.Sender, e.Sequence))]);
    }

    [Theory]
    [InlineData("canonical")]
    [InlineData("reverse")]
    [InlineData("seeded:3")]
    public void Phold_with_integer_delays_gives_one_digest_per_order_on_every_layout(string text)
    {
        var order = TieOrder.TryParse(text, out _)!.Value;
        var p = new PholdParams(Lps: 32, Population: 4, End: 40, IntegerDelays: true);
        var runs = EngineMatrix.RunAll(() => new PholdTieModel(p, order).Build(), partitions: [0, 2], threads: [1, 2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
    }

    [Fact]
    public void Phold_results_do_not_depend_on_the_tie_order_but_its_digest_does()
    {
        var p = new PholdParams(Lps: 32, Population: 4, End: 40, IntegerDelays: true);
        var canonical = EngineMatrix.Sequential(() => new PholdTieModel(p, TieOrder.Canonical).Build());
        foreach (var order in new[] { new TieOrder(TieOrderKind.Reverse), new TieOrder(TieOrderKind.Seeded, 9) })
        {
            var other = EngineMatrix.Sequential(() => new PholdTieModel(p, order).Build());
            Assert.NotEqual(canonical.Digest, other.Digest);
            Assert.Equal(canonical.Events, other.Events);
            Assert.Equal(canonical.Counter("phold.remote_sends"), other.Counter("phold.remote_sends"));
        }
    }

    [Theory]
    [InlineData("canonical", TieOrderKind.Canonical, 0)]
    [InlineData("reverse", TieOrderKind.Reverse, 0)]
    [InlineData("seeded:-12", TieOrderKind.Seeded, -12)]
    [InlineData("arrival", TieOrderKind.Arrival, 0)]
    public void Tie_orders_parse_and_print_back(string text, TieOrderKind kind, long seed)
    {
        var order = TieOrder.TryParse(text, out string problem);
        Assert.Equal(new TieOrder(kind, seed), order);
        Assert.Equal("", problem);
        Assert.Equal(text, order!.Value.ToString());
    }

    [Theory]
    [InlineData("random")]
    [InlineData("seeded:")]
    [InlineData("seeded:x")]
    [InlineData("")]
    public void A_bad_tie_order_says_what_is_accepted(string text)
    {
        Assert.Null(TieOrder.TryParse(text, out string problem));
        Assert.Contains(text.StartsWith("seeded:", StringComparison.Ordinal) ? "integer" : "canonical, reverse, seeded:K or arrival", problem, StringComparison.Ordinal);
    }

    private sealed record PholdTieModel(PholdParams Parameters, TieOrder Order)
    {
        public SimulationModel Build()
        {
            var model = PholdModel.Build(Parameters, seed: 4);
            model.TieOrder = Order;
            return model;
        }
    }
}
