using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Host.Output;
using Disco.Actors.Host.Probe;

namespace Disco.Actors.Host.Tests.Probe;

/// <summary>
/// The probe's judgement on two toy models run in-process under 8 tie orders: a sum (commutative in its same-time
/// messages: order-independent, although its digests differ) and a register written by two racing senders
/// (order-dependent, first diverging at the register at the race's time).
/// </summary>
public class OrderProbeTests
{
    private static readonly SimTime Tick = SimTime.FromNs(100);

    /// <summary>A value for a receiver to fold in.</summary>
    private sealed record Put(long Value) : ISimMessage
    {
        public int Kind => 901;

        public ulong ContentHash() => (ulong)Value;
    }

    /// <summary>Every 100 ns sends its number (and the round) to the receiver: all senders at the same times.</summary>
    private sealed class Sender(int id, int target, int rounds) : Component(new ComponentId(id))
    {
        private long _round;

        public override string Kind => "toy.sender";

        public override void Start(IContext context) => context.Send(Id, Tick, new Put(0));

        public override void Handle(ISimMessage message, IContext context)
        {
            if (++_round > rounds)
            {
                return;
            }

            context.Send(new ComponentId(target), Tick, new Put((Id.Value * 1000) + _round));
            context.Send(Id, Tick, new Put(0));
        }

        public override void DeclareState(ref StateIo io) => io.Long("round", ref _round, 0);
    }

    /// <summary>Sums what it receives (order-free), or keeps the last value (a race), and passes its value on.</summary>
    private sealed class Receiver(int id, bool last, int? next) : Component(new ComponentId(id))
    {
        private long _value;

        public override string Kind => last ? "toy.register" : "toy.sum";

        public override void Handle(ISimMessage message, IContext context)
        {
            long v = ((Put)message).Value;
            _value = last ? v : _value + v;
            if (next is { } n)
            {
                context.Send(new ComponentId(n), Tick, new Put(_value));
            }
        }

        public override void DeclareState(ref StateIo io) => io.Long("value", ref _value);
    }

    /// <summary>Senders 0 and 1 → receiver 2 (a sum, or a register that passes each value on to the sum 3).</summary>
    private static SimulationModel Build(bool race, TieOrder order)
    {
        Component[] c =
        [
            new Sender(0, 2, rounds: 40),
            new Sender(1, 2, rounds: 40),
            // The sum keeps its total to itself: what it passed on would be a running total, which depends on the order.
            new Receiver(2, last: race, next: race ? 3 : null),
            new Receiver(3, last: false, next: null),
        ];
        return new SimulationModel("toy", c, new LinkTable(c.Length, Tick), SimTime.FromUs(10), seed: 1) { TieOrder = order };
    }

    private static OrderRun Run(bool race, TieOrder order)
    {
        var hashes = new Dictionary<(long, int), ulong>();
        var names = new Dictionary<int, string>();
        var metrics = new MetricsPolicy
        {
            Interval = SimTime.FromNs(250),
            StateHashes = true,
            Sample = (t, reports) =>
            {
                foreach (var r in reports)
                {
                    hashes[(t, r.Id)] = r.StateHash;
                    names[r.Id] = $"{r.Kind}#{r.Id}";
                }
            },
        };
        var result = SequentialKernel.Run(Build(race, order), new RunControl { Metrics = metrics });
        foreach (var r in result.Components)
        {
            hashes[(StateHashWriter.FinalPs, r.Id)] = r.StateHash;
        }

        var figures = new Dictionary<string, double> { ["events"] = result.Events, ["sim_time_ps"] = result.SimTimePs };
        return new OrderRun(order.ToString(), result.DigestHex, figures, hashes, names);
    }

    private static OrderProbeAnalysis Probe(bool race) =>
        OrderProbeAnalysis.Analyze([.. new[] { TieOrder.Canonical }.Concat(Enumerable.Range(1, 7).Select(k => new TieOrder(TieOrderKind.Seeded, k))).Select(o => Run(race, o))]);

    [Fact]
    public void A_model_whose_state_commutes_is_order_independent_though_its_digests_differ()
    {
        var a = Probe(race: false);
        Assert.False(a.OrderDependent);
        Assert.Null(a.FirstDivergence);
        Assert.Equal(0, a.FinalStatesDiffering);
        Assert.Equal(4, a.ComponentsCompared);
        Assert.True(a.DistinctDigests > 1, "the seeded orders reordered ties, so the digests differ");
    }

    [Fact]
    public void A_race_is_order_dependent_and_first_diverges_at_the_register_when_the_race_starts()
    {
        var a = Probe(race: true);
        Assert.True(a.OrderDependent);
        var d = Assert.IsType<Divergence>(a.FirstDivergence);
        // Both senders' first values reach the register at 200 ns: the first sample after that is 250 ns.
        Assert.Equal(250_000, d.ByPs);
        Assert.Equal(0, d.AfterPs);
        Assert.Equal(["toy.register#2"], d.Components);
        Assert.True(a.FinalStatesDiffering >= 1);
    }

    [Fact]
    public void The_report_says_what_the_analysis_found()
    {
        string md = OrderProbeReport.Markdown("toy", "test", Probe(race: true), []);
        Assert.Contains("**The result depends on the tie order.**", md, StringComparison.Ordinal);
        Assert.Contains("toy.register#2", md, StringComparison.Ordinal);
        md = OrderProbeReport.Markdown("toy", "test", Probe(race: false), []);
        Assert.Contains("**The result does not depend on the tie order**", md, StringComparison.Ordinal);
    }
}
