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
