using System.Buffers;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Tests.Serialization;

public class RecordCodecTests
{
    public enum Colour
    {
        Red,
        Green,
    }

    public readonly record struct Node([Bounds(0, 63)] int Value);

    public readonly record struct Block(int File, [Bounds(0, 1L << 20)] long Index);

    public sealed record Sample(Node Node, long Plain, [MaxCount(4)] long[] Pages, Block[] Blocks, Colour Colour, bool Flag, string? Label) : ISimMessage
    {
        public int Kind => 7;

        public ulong ContentHash() => 0;
    }

    public sealed record Empty : ISimMessage
    {
        public static Empty Instance { get; } = new();

        public int Kind => 8;

        public ulong ContentHash() => 0;
    }

    /// <summary>An id whose -1 means none; a message that must name one narrows its bound.</summary>
    public readonly record struct Cpu([Bounds(-1, 1000)] int Value);

    public sealed record Optionals(Block? Cached, [Bounds(0, 9)] int? Count, [Bounds(0, int.MaxValue)] Cpu Cpu) : ISimMessage
    {
        public int Kind => 9;

        public ulong ContentHash() => 0;
    }

    private static readonly MessageCatalog Catalog = new MessageCatalog().Register<Sample>(7).Register<Empty>(8).Register<Optionals>(9);

    private static byte[] Bytes(ISimMessage m)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new StateWriter(buffer);
        writer.Write(m);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static ISimMessage Back(byte[] bytes)
    {
        var reader = new StateReader(bytes, Catalog);
        return reader.ReadMessage("message");
    }

    private static Sample Example() => new(new Node(5), -3, [1, 2, 3], [new Block(2, 9), new Block(1, 0)], Colour.Green, true, "x");

    [Fact]
    public void A_message_reads_back_equal_field_by_field()
    {
        var m = Example();
        var back = Assert.IsType<Sample>(Back(Bytes(m)));
        Assert.Equal(m.Node, back.Node);
        Assert.Equal(m.Plain, back.Plain);
        Assert.Equal(m.Pages, back.Pages);
        Assert.Equal(m.Blocks, back.Blocks);
        Assert.Equal(m.Colour, back.Colour);
        Assert.True(back.Flag);
        Assert.Equal("x", back.Label);
    }

    [Fact]
    public void A_message_without_fields_reads_back_as_its_single_instance() => Assert.Same(Empty.Instance, Back(Bytes(Empty.Instance)));

    [Fact]
    public void A_typed_id_out_of_its_bounds_is_refused_naming_the_field()
    {
        var ex = Assert.Throws<CorruptStateException>(() => Back(Bytes(Example() with { Node = new Node(64) })));
        Assert.Contains("Node.Value", ex.Message, StringComparison.Ordinal);
        Assert.Contains("outside [0, 63]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nested_bound_in_an_array_is_checked()
    {
        var ex = Assert.Throws<CorruptStateException>(() => Back(Bytes(Example() with { Blocks = [new Block(0, -1)] })));
        Assert.Contains("Blocks.Index", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_array_longer_than_its_maximum_is_refused()
    {
        var ex = Assert.Throws<CorruptStateException>(() => Back(Bytes(Example() with { Pages = [1, 2, 3, 4, 5] })));
        Assert.Contains("Pages", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_undefined_enum_value_is_refused() =>
        Assert.Throws<CorruptStateException>(() => Back(Bytes(Example() with { Colour = (Colour)9 })));

    [Fact]
    public void A_truncated_message_is_refused()
    {
        byte[] bytes = Bytes(Example());
        Assert.Throws<CorruptStateException>(() => Back(bytes[..^3]));
    }

    [Fact]
    public void A_nullable_field_reads_back_with_or_without_its_value()
    {
        var full = new Optionals(new Block(3, 4), 7, new Cpu(2));
        Assert.Equal(full, Back(Bytes(full)));
        var empty = new Optionals(null, null, new Cpu(0));
        Assert.Equal(empty, Back(Bytes(empty)));
    }

    [Fact]
    public void A_bound_on_a_nullable_field_is_checked_when_it_has_a_value()
    {
        var ex = Assert.Throws<CorruptStateException>(() => Back(Bytes(new Optionals(null, 10, new Cpu(0)))));
        Assert.Contains("Count", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_on_a_typed_id_field_narrows_the_ids_own()
    {
        var ex = Assert.Throws<CorruptStateException>(() => Back(Bytes(new Optionals(null, null, new Cpu(-1)))));
        Assert.Contains("Cpu.Value", ex.Message, StringComparison.Ordinal);
        Assert.Contains("outside [0, 1000]", ex.Message, StringComparison.Ordinal);
    }
}
