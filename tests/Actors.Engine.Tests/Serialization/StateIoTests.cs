using System.Buffers;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Tests.Serialization;

public class StateIoTests
{
    private sealed class Part : IStateful
    {
        public long Hits;
        public int Level;

        public void DeclareState(ref StateIo io)
        {
            io.Counter("part.hits", ref Hits);
            io.Int("level", ref Level, 0, 10);
        }
    }

    private sealed class Example : IStateful
    {
        public long Requests;
        public bool Busy;
        public Part Inner = new();
        public readonly Queue<long> Waiting = new();
        public readonly SortedDictionary<long, long> Map = [];
        public readonly long[] Buckets = new long[3];
        public string? Note;

        public void DeclareState(ref StateIo io)
        {
            io.Counter("requests", ref Requests);
            io.Bool("busy", ref Busy);
            io.Part(Inner);
            io.Queue("waiting", Waiting, 16, static (ref StateIo io, ref long v) => io.Long("waiting item", ref v, 0));
            io.LongMap("map", Map, 16, keyMin: 0);
            io.Counters("time", Buckets, ["a", "b", "c"]);
            io.Optional("note", ref Note, static (ref StateIo io, ref string s) =>
            {
                long n = s?.Length ?? 0;
                io.Long("note length", ref n, 0, 100);
                s ??= new string('n', (int)n);
            });
        }
    }

    private static byte[] Save(IStateful s)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var io = StateIo.Saving(new StateWriter(buffer));
        s.DeclareState(ref io);
        var writer = io.FinishSaving();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static T Load<T>(byte[] bytes, T into)
        where T : IStateful
    {
        var io = StateIo.Loading(new StateReader(bytes));
        into.DeclareState(ref io);
        Assert.True(io.FinishLoading().End);
        return into;
    }

    private static Example Busy()
    {
        var e = new Example { Requests = 7, Busy = true, Inner = { Hits = 3, Level = 4 }, Note = "abc" };
        e.Waiting.Enqueue(5);
        e.Waiting.Enqueue(2);
        e.Map[9] = -1;
        e.Map[1] = 4;
        e.Buckets[2] = 11;
        return e;
    }

    [Fact]
    public void One_declaration_saves_and_loads_every_field()
    {
        var back = Load(Save(Busy()), new Example());
        Assert.Equal(7, back.Requests);
        Assert.True(back.Busy);
        Assert.Equal((3L, 4), (back.Inner.Hits, back.Inner.Level));
        Assert.Equal([5L, 2L], back.Waiting);
        Assert.Equal([(1L, 4L), (9L, -1L)], back.Map.Select(kv => (kv.Key, kv.Value)));
        Assert.Equal([0L, 0L, 11L], back.Buckets);
        Assert.Equal(3, back.Note?.Length);
        Assert.Equal(Save(Busy()), Save(back));
    }

    [Fact]
    public void The_same_declaration_reports_the_counters_and_nothing_else()
    {
        var sink = new Sink();
        var io = StateIo.Reporting(sink);
        Busy().DeclareState(ref io);
        Assert.Equal(
            new SortedDictionary<string, long> { ["requests"] = 7, ["part.hits"] = 3, ["time.a"] = 0, ["time.b"] = 0, ["time.c"] = 11 },
            sink.Counters);
    }

    [Fact]
    public void A_value_outside_its_bounds_is_refused_naming_it()
    {
        var e = Busy();
        e.Inner.Level = 11;
        var ex = Assert.Throws<CorruptStateException>(() => Load(Save(e), new Example()));
        Assert.Contains("level", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_counter_is_refused()
    {
        var e = Busy();
        e.Requests = -1;
        Assert.Throws<CorruptStateException>(() => Load(Save(e), new Example()));
    }

    [Fact]
    public void A_count_over_its_limit_is_refused_before_allocating()
    {
        var e = Busy();
        for (int i = 0; i < 20; i++)
        {
            e.Waiting.Enqueue(i);
        }

        var ex = Assert.Throws<CorruptStateException>(() => Load(Save(e), new Example()));
        Assert.Contains("waiting", ex.Message, StringComparison.Ordinal);
    }

    private sealed class Sink : IStatsSink
    {
        public SortedDictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

        public void Add(string name, long value) => Counters[name] = value;
    }
}
