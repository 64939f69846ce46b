using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Time;
using Disco.Actors.Testing;

namespace Disco.Actors.Engine.Tests.Kernel;

public class OrderingTests
{
    private static readonly SimTime Latency = SimTime.FromNs(100);

    private static SimulationModel Model(SimTime end, params Component[] components) =>
        new("test", components, new LinkTable(components.Length, Latency), end, seed: 1);

    [Fact]
    public void Ties_at_one_time_are_handled_by_sender_id_then_sequence_number()
    {
        ScriptedComponent? sink = null;
        SimulationModel Build()
        {
            // Senders 2, 0, 1 each send two messages that all arrive at 100ns; sender 2 starts first.
            var s2 = new ScriptedComponent(2, c => { c.Send(new(3), Latency, new Note("2a")); c.Send(new(3), Latency, new Note("2b")); });
            var s0 = new ScriptedComponent(0, c => { c.Send(new(3), Latency, new Note("0a")); c.Send(new(3), Latency, new Note("0b")); });
            var s1 = new ScriptedComponent(1, c => { c.Send(new(3), Latency, new Note("1a")); c.Send(new(3), Latency, new Note("1b")); });
            sink = new ScriptedComponent(3);
            return Model(SimTime.FromUs(1), s0, s1, s2, sink);
        }

        foreach (var (layout, _) in EngineMatrix.RunAll(Build, partitions: [0, 2]))
        {
            Assert.True(sink!.Received.Select(h => h.Label).SequenceEqual(["0a", "0b", "1a", "1b", "2a", "2b"]), layout);
            Assert.All(sink.Received, h => Assert.Equal(Latency, h.Time));
        }
    }

    [Fact]
    public void A_self_message_with_zero_delay_is_handled_at_the_same_time_after_the_current_one()
    {
        ScriptedComponent? c0 = null;
        SimulationModel Build()
        {
            c0 = new ScriptedComponent(
                0,
                c => c.Send(c.Self, SimTime.FromNs(5), new Note("first")),
                (note, c) =>
                {
                    if (note.Label == "first")
                    {
                        c.Send(c.Self, SimTime.Zero, new Note("again"));
                    }
                });
            return Model(SimTime.FromUs(1), c0);
        }

        var seq = EngineMatrix.Sequential(Build);
        Assert.Equal([(SimTime.FromNs(5), "first"), (SimTime.FromNs(5), "again")], c0!.Received);
        var actors = EngineMatrix.Actors(Build, 0, 1);
        Assert.Equal(seq.Digest, actors.Digest);
    }

    [Fact]
    public void A_message_below_its_link_latency_is_refused_with_a_clear_error()
    {
        SimulationModel Build() => Model(
            SimTime.FromUs(1),
            new ScriptedComponent(0, c => c.Send(new(1), SimTime.FromNs(99), new Note("too fast"))),
            new ScriptedComponent(1));

        var ex = Assert.Throws<LinkLatencyViolationException>(() => EngineMatrix.Sequential(Build));
        Assert.Contains("delay 99ns", ex.Message, StringComparison.Ordinal);
        Assert.Contains("link latency is 100ns", ex.Message, StringComparison.Ordinal);

        var actorEx = Assert.ThrowsAny<Exception>(() => EngineMatrix.Actors(Build, 0, 1));
        Assert.IsType<LinkLatencyViolationException>(actorEx);
    }

    [Fact]
    public void A_message_to_an_unlinked_component_is_refused()
    {
        var links = LinkTable.LinksOnly(2);
        var model = new SimulationModel("test", [new ScriptedComponent(0, c => c.Send(new(1), SimTime.FromUs(1), new Note("x"))), new ScriptedComponent(1)], links, SimTime.FromUs(5), 1);
        var ex = Assert.Throws<LinkLatencyViolationException>(() => SequentialKernel.Run(model));
        Assert.Contains("no link exists", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_at_or_after_the_end_time_are_not_handled()
    {
        ScriptedComponent? c0 = null;
        SimulationModel Build()
        {
            c0 = new ScriptedComponent(0, c =>
            {
                c.Send(c.Self, SimTime.FromNs(999), new Note("before"));
                c.Send(c.Self, SimTime.FromNs(1000), new Note("at end"));
                c.Send(c.Self, SimTime.FromNs(2000), new Note("after"));
            });
            return Model(SimTime.FromNs(1000), c0, new ScriptedComponent(1));
        }

        foreach (var (layout, result) in EngineMatrix.RunAll(Build, partitions: [0, 2]))
        {
            Assert.True(c0!.Received.Select(h => h.Label).SequenceEqual(["before"]), layout);
            Assert.Equal(1, result.Events);
            Assert.Equal(SimTime.FromNs(1000).Ps, result.SimTimePs);
        }
    }

    [Fact]
    public void An_empty_run_ends_at_once_with_no_events()
    {
        SimulationModel NoEvents() => Model(SimTime.FromUs(1), new ScriptedComponent(0), new ScriptedComponent(1));
        SimulationModel NoComponents() => new("empty", [], new LinkTable(0, Latency), SimTime.FromUs(1), 1);

        foreach (var build in new Func<SimulationModel>[] { NoEvents, NoComponents })
        {
            var runs = EngineMatrix.RunAll(build, partitions: [0, 2]);
            Assert.Null(EngineMatrix.Disagreement(runs));
            Assert.All(runs, r => Assert.Equal(0, r.Result.Events));
            Assert.All(runs, r => Assert.Equal(0, r.Result.SimTimePs));
        }
    }

    [Fact]
    public void A_chain_of_messages_across_partitions_runs_to_the_queue_end()
    {
        // Ping-pong between 0 and 1, ten rounds: the run ends when the queue drains, before the end time.
        SimulationModel Build() => Model(
            SimTime.FromMs(1),
            new ScriptedComponent(0, c => c.Send(new(1), Latency, new Note("ping")), (n, c) => { if (c.Now < SimTime.FromNs(2000)) { c.Send(new(1), Latency, n); } }),
            new ScriptedComponent(1, null, (n, c) => c.Send(new(0), Latency + SimTime.FromNs(1), n)));

        var runs = EngineMatrix.RunAll(Build, partitions: [0, 1, 2], threads: [1, 2]);
        Assert.Null(EngineMatrix.Disagreement(runs));
        // 0 handles the replies at 201ns·k (k = 1..10), 1 handles the pings at 100ns + 201ns·k (k = 0..9).
        Assert.All(runs, r => Assert.Equal(20, r.Result.Events));
        Assert.All(runs, r => Assert.Equal(SimTime.FromNs(2010).Ps, r.Result.SimTimePs));
    }
}
