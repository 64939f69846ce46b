using Akka.Actor;
using Akka.Serialization;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Run;
using Xunit.Abstractions;

namespace Disco.Actors.Engine.Tests.Actors;

public sealed class EngineMessageSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-test", ActorEngine.SerializationConfig().WithFallback("akka.loglevel = WARNING"));

    private readonly ITestOutputHelper _output;

    public EngineMessageSerializerTests(ITestOutputHelper output)
    {
        _output = output;
        ModelMessages.For(_system).Catalog = PholdModel.Build(new PholdParams(Lps: 2), 1).Messages;
    }

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private T RoundTrip<T>(T message)
        where T : notnull
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        Assert.IsType<EngineMessageSerializer>(serializer);
        return (T)serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
    }

    [Fact]
    public void A_batch_survives_the_trip_event_by_event()
    {
        var batch = new EventBatch(3, 41, [.. Enumerable.Range(0, 100).Select(i => new Event(1_000_000L * i + 7, i % 5, 1_000_000 + i, 1023 - i, PholdEvent.Instance))]);
        var back = RoundTrip(batch);
        Assert.Equal(batch.FromPartition, back.FromPartition);
        Assert.Equal(batch.Window, back.Window);
        Assert.Equal(batch.Events.Select(e => (e.TimePs, e.Sender, e.Sequence, e.Target, e.Message)), back.Events.Select(e => (e.TimePs, e.Sender, e.Sequence, e.Target, e.Message)));
    }

    [Fact]
    public void A_PHOLD_event_takes_under_24_bytes_on_the_wire()
    {
        // Realistic values: times around 1 ms in picoseconds, sequence numbers in the tens of thousands.
        var batch = new EventBatch(1, 5000, [.. Enumerable.Range(0, 1000).Select(i => new Event(1_000_000_000L + 9_137L * i, 100 + (i % 500), 40_000 + i, 600 + (i % 400), PholdEvent.Instance))]);
        var serializer = _system.Serialization.FindSerializerFor(batch);
        double perEvent = serializer.ToBinary(batch).Length / 1000.0;
        _output.WriteLine($"{perEvent:F1} bytes per PHOLD event in a batch of 1000");
        Assert.InRange(perEvent, 1, 24);
    }

    [Fact]
    public void Reports_and_results_survive_the_trip()
    {
        var done = RoundTrip(new WindowDone(2, 9, 120, 5_000, 6_000, 4_999, [0, 3], [7_000, 8_000], [9_000, long.MaxValue], 12_345));
        Assert.Equal((2, 9L, 120L, 5_000L, 6_000L, 4_999L), (done.Partition, done.Window, done.Handled, done.NextEventPs, done.PromisePs, done.LastHandledPs));
        Assert.Equal([0, 3], done.BatchDestinations);
        Assert.Equal([7_000L, 8_000L], done.BatchMinPs);
        Assert.Equal([9_000L, long.MaxValue], done.BatchReactionPs);
        Assert.Equal(12_345L, done.BusyTicks);

        var counters = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["a"] = 1, ["b.c"] = -2 };
        var lent = new SortedDictionary<string, long>(StringComparer.Ordinal) { ["x"] = 5 };
        var results = RoundTrip(new PartitionResults(1, -1, [new ComponentReport(4, "phold.lp", 4, 0xDEADBEEF_CAFEF00D, 99, counters) { Lent = new Dictionary<int, IReadOnlyDictionary<string, long>> { [9] = lent } }], MessagesSent: 4_321));
        Assert.Equal(4_321L, results.MessagesSent);
        var c = Assert.Single(results.Components);
        Assert.Equal((4, "phold.lp", 0xDEADBEEF_CAFEF00DUL, 99L), (c.Id, c.Kind, c.Digest, c.Handled));
        Assert.Equal(counters, c.Counters);
        Assert.Equal(lent, Assert.Single(c.Lent, kv => kv.Key == 9).Value);

        var collect = RoundTrip(new CollectResults(-1, 12, 34));
        Assert.Equal((-1L, 12L, 34L), (collect.SampleTimePs, collect.BeforeWindow, collect.ExpectedBatches));
    }

    [Fact]
    public void Batches_the_conductor_relays_travel_with_its_messages_and_none_reads_back_as_null()
    {
        EventBatch Batch(int from, long window, int events) =>
            new(from, window, [.. Enumerable.Range(0, events).Select(i => new Event(5_000L + i, from, 100 + i, 7, PholdEvent.Instance))]);
        static (int, long, long[]) Shape(EventBatch b) => (b.FromPartition, b.Window, [.. b.Events.Select(e => e.TimePs)]);

        EventBatch[] relay = [Batch(3, 8, 2), Batch(5, 8, 1)];
        var done = RoundTrip(new WindowDone(3, 8, 10, 5_000, 6_000, 4_999, [7, 9], [5_000, 5_000], [6_000, 6_000], 1, relay));
        Assert.Equal(relay.Select(Shape), done.Relay!.Select(Shape));
        var open = RoundTrip(new OpenWindow(9, 7_000, 2, false, relay));
        Assert.Equal((9L, 7_000L, 2L), (open.Window, open.EndPs, open.ExpectedBatches));
        Assert.Equal(relay.Select(Shape), open.Batches!.Select(Shape));
        Assert.Equal(relay.Select(Shape), RoundTrip(new TakeCheckpoint(1, 10, 2, relay)).Batches!.Select(Shape));
        Assert.Equal(relay.Select(Shape), RoundTrip(new CollectResults(-1, 10, 2, Batches: relay)).Batches!.Select(Shape));
        Assert.Null(RoundTrip(new OpenWindow(9, 7_000, 2, false)).Batches);
        Assert.Null(RoundTrip(new WindowDone(3, 8, 10, 5_000, 6_000, 4_999, [], [], [], 1)).Relay);
    }

    [Fact]
    public void Counters_lent_to_another_component_are_settled_into_its_report()
    {
        var processor = new ComponentReport(0, "hw.processor", 0, 1, 10, new SortedDictionary<string, long> { ["instructions"] = 7 })
        {
            Lent = new Dictionary<int, IReadOnlyDictionary<string, long>> { [1] = new SortedDictionary<string, long> { ["monitor.traps"] = 3, ["vm.0.vcpus"] = 1 } },
        };
        var vcpu = new ComponentReport(1, "monitor.vcpu", 0, 2, 4, new SortedDictionary<string, long> { ["monitor.traps"] = 2 });
        var settled = ComponentReport.Settle([processor, vcpu]);
        Assert.Equal(new Dictionary<string, long> { ["instructions"] = 7 }, settled[0].Counters);
        Assert.Equal(new Dictionary<string, long> { ["monitor.traps"] = 5, ["vm.0.vcpus"] = 1 }, settled[1].Counters);
        Assert.All(settled, r => Assert.Empty(r.Lent));
        Assert.Throws<InvalidOperationException>(() => ComponentReport.Settle([processor]));
    }

    [Fact]
    public void An_unknown_manifest_is_refused_clearly()
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new CollectResults(-1, 3, 7));
        var ex = Assert.Throws<State.CorruptStateException>(() => serializer.FromBinary([0x90], "window.99"));
        Assert.Contains("another disco version", ex.Message, StringComparison.Ordinal);
    }
}
