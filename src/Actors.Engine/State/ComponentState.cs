using System.Buffers;
using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.State;

/// <summary>One component's checkpointed state on its own, for tools and tests that compare or move it.</summary>
public static class ComponentState
{
    /// <summary>Everything the component's checkpoint holds (engine-owned fields and its declared state).</summary>
    public static byte[] Save(Component component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new StateWriter(buffer);
        component.Save(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A hash of the component's state (<see cref="Save"/>'s bytes) leaving out its digest, which folds the order it
    /// handled messages in: two runs that handled ties in different orders but reached the same state hash equal.
    /// </summary>
    public static ulong Hash(Component component)
    {
        ArgumentNullException.ThrowIfNull(component);
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new StateWriter(buffer);
        component.SaveWithoutDigest(ref writer);
        writer.Flush();
        return System.IO.Hashing.XxHash64.HashToUInt64(buffer.WrittenSpan);
    }

    /// <summary>Loads what <see cref="Save"/> wrote into a component of a freshly built model; every byte must be used.</summary>
    public static void Load(Component component, byte[] state, MessageCatalog messages)
    {
        ArgumentNullException.ThrowIfNull(component);
        var reader = new StateReader(state, messages);
        component.Load(ref reader);
        if (!reader.End)
        {
            throw new CorruptStateException($"{component}: {state.Length - reader.Consumed} bytes left after its state");
        }
    }
}
