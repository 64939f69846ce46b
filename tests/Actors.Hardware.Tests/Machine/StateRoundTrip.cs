using System.Buffers;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Tests.Machine;

/// <summary>Saves a part through its one declaration and loads it back, as a component's checkpoint does.</summary>
internal static class StateRoundTrip
{
    public static byte[] Save(IStateful part)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new StateWriter(buffer);
        part.SaveTo(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static void Load(IStateful part, byte[] bytes)
    {
        var reader = new StateReader(bytes, HardwareMessages.Register(new MessageCatalog()));
        part.LoadFrom(ref reader);
        Assert.True(reader.End, $"{part}: {bytes.Length - reader.Consumed} bytes left unread");
    }

    /// <summary>Save, load into <paramref name="fresh"/>, save again: the same bytes.</summary>
    public static void AssertSameBytes(IStateful running, IStateful fresh)
    {
        var bytes = Save(running);
        Load(fresh, bytes);
        Assert.Equal(bytes, Save(fresh));
    }
}
