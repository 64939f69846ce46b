using System.Buffers;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Checkpoints;

/// <summary>
/// A consistent cut of a run: every component's state and every pending event, independent of which partition held
/// them, so a run can resume on another number of partitions, on the other engine, or in another process layout.
/// </summary>
public sealed class CheckpointImage
{
    // Generous bounds for what a checkpoint may claim before anything is allocated for it.
    private const int MaxComponents = 1 << 26;
    private const int MaxEventsPerImage = 1 << 28;
    private const int MaxStateBytes = 1 << 30;

    private CheckpointImage(Dictionary<int, (string Kind, byte[] State)> components, List<Event> events)
    {
        ComponentStates = components;
        Events = events;
    }

    public IReadOnlyDictionary<int, (string Kind, byte[] State)> ComponentStates { get; }

    public IReadOnlyList<Event> Events { get; }

    /// <summary>Events handled before the checkpoint (known once loaded into a model).</summary>
    public long HandledBefore { get; private set; }

    /// <summary>Encodes one partition's share: its components' states and its pending events.</summary>
    public static byte[] EncodePartition(EventLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new StateWriter(buffer);
        w.Write(ModelVersion.Schema);
        w.WriteCount(loop.Components.Count);
        var stateBuffer = new ArrayBufferWriter<byte>(256);
        foreach (var c in loop.Components)
        {
            stateBuffer.Clear();
            var sw = new StateWriter(stateBuffer);
            c.Save(ref sw);
            sw.Flush();
            w.Write(c.Id.Value);
            w.Write(c.Kind);
            w.Write(stateBuffer.WrittenSpan);
        }

        var events = loop.Queue.UnorderedItems().ToList();
        w.WriteCount(events.Count);
        foreach (var e in events)
        {
            w.Write(e.TimePs);
            w.Write(e.Sender);
            w.Write(e.Sequence);
            w.Write(e.Target);
            w.Write(e.Message);
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes partition images into one cut, checking each against the model it will be loaded into.</summary>
    public static CheckpointImage Decode(IEnumerable<ReadOnlyMemory<byte>> partitionImages, SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(partitionImages);
        ArgumentNullException.ThrowIfNull(model);
        int n = model.Components.Count;
        var components = new Dictionary<int, (string, byte[])>();
        var events = new List<Event>();
        foreach (var image in partitionImages)
        {
            var r = new StateReader(image, model.Messages);
            int schema = r.ReadInt("schema version");
            if (schema != ModelVersion.Schema)
            {
                throw new CorruptStateException($"partition image of schema {schema}, this disco reads schema {ModelVersion.Schema}");
            }

            int count = r.ReadCount("component count", MaxComponents);
            for (int i = 0; i < count; i++)
            {
                int id = r.ReadInt("component id", 0, n - 1);
                string kind = r.ReadString("component kind") ?? "";
                byte[] state = r.ReadBytes("component state", MaxStateBytes);
                if (!components.TryAdd(id, (kind, state)))
                {
                    throw new CorruptStateException($"component {id} appears twice in the checkpoint");
                }
            }

            int eventCount = r.ReadCount("event count", MaxEventsPerImage);
            for (int i = 0; i < eventCount; i++)
            {
                long time = r.ReadLong("event time", 0, long.MaxValue);
                int sender = r.ReadInt("event sender", 0, n - 1);
                long sequence = r.ReadLong("event sequence", 0, long.MaxValue);
                int target = r.ReadInt("event target", 0, n - 1);
                ISimMessage message = r.ReadMessage("event message");
                events.Add(new Event(time, sender, sequence, target, message));
            }

            if (!r.End)
            {
                throw new CorruptStateException("partition image has unexpected trailing bytes");
            }
        }

        if (components.Count != n)
        {
            throw new CorruptStateException($"checkpoint holds {components.Count} components, the model has {n}");
        }

        return new CheckpointImage(components, events);
    }

    /// <summary>Loads every component's state into a freshly built model.</summary>
    public void LoadInto(SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var c in model.Components)
        {
            var (kind, state) = ComponentStates[c.Id.Value];
            if (kind != c.Kind)
            {
                throw new CorruptStateException($"component {c.Id} is a {c.Kind} in this model but a {kind} in the checkpoint");
            }

            var r = new StateReader(state, model.Messages);
            c.Load(ref r);
            if (!r.End)
            {
                throw new CorruptStateException($"component {c.Id} ({c.Kind}): state has unexpected trailing bytes");
            }
        }

        HandledBefore = model.Components.Sum(c => c.HandledCount);
    }
}
