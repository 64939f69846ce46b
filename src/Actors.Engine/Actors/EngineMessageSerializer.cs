using System.Buffers;
using Akka.Actor;
using Akka.Serialization;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// The binary serializer of the engine's protocol between processes (windows, batches, reports, checkpoints,
/// results), bound in HOCON to <see cref="IEngineMessage"/> instead of Akka's JSON. Simulation messages inside
/// batches are written by their own <c>Write</c> and read back through the system's <see cref="ModelMessages"/>.
/// Every manifest carries its schema version.
/// </summary>
public sealed class EngineMessageSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 7302;

    private const int MaxCount = 1 << 26;

    public EngineMessageSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        WirePartitions => "wire.1",
        OpenWindow => "open.2",
        EventBatch => "batch.1",
        WindowDone => "done.3",
        TakeCheckpoint => "take-checkpoint.2",
        PartitionImage => "image.1",
        CollectResults => "collect.4",
        PartitionResults => "results.4",
        PartitionsHosted => "hosted.1",
        PartitionFailed => "failed.1",
        Proceed => "proceed.1",
        WindowReached => "reached.1",
        _ => throw new ArgumentException($"{o?.GetType().Name} does not travel between processes"),
    };

    public override byte[] ToBinary(object obj)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new StateWriter(buffer);
        switch (obj)
        {
            case WirePartitions m:
                WriteRefs(ref w, m.Partitions);
                break;
            case OpenWindow m:
                w.Write(m.Window);
                w.Write(m.EndPs);
                w.Write(m.ExpectedBatches);
                w.Write(m.StartComponents);
                WriteBatches(ref w, m.Batches);
                break;
            case EventBatch m:
                WriteBatch(ref w, m);

                break;
            case WindowDone m:
                w.Write(m.Partition);
                w.Write(m.Window);
                w.Write(m.Handled);
                w.Write(m.NextEventPs);
                w.Write(m.PromisePs);
                w.Write(m.LastHandledPs);
                w.Write(m.BatchDestinations);
                w.Write(m.BatchMinPs);
                w.Write(m.BatchReactionPs);
                w.Write(m.BusyTicks);
                WriteBatches(ref w, m.Relay);
                break;
            case TakeCheckpoint m:
                w.Write(m.Epoch);
                w.Write(m.BeforeWindow);
                w.Write(m.ExpectedBatches);
                WriteBatches(ref w, m.Batches);
                break;
            case PartitionImage m:
                w.Write(m.Partition);
                w.Write(m.Epoch);
                w.Write(m.Image);
                break;
            case CollectResults m:
                w.Write(m.SampleTimePs);
                w.Write(m.BeforeWindow);
                w.Write(m.ExpectedBatches);
                w.Write(m.StateHashes);
                WriteBatches(ref w, m.Batches);
                break;
            case PartitionResults m:
                w.Write(m.Partition);
                w.Write(m.SampleTimePs);
                w.WriteCount(m.Components.Length);
                foreach (var c in m.Components)
                {
                    w.Write(c.Id);
                    w.Write(c.Kind);
                    w.Write(c.PlacementKey);
                    w.Write(c.Digest);
                    w.Write(c.Handled);
                    w.Write(c.StateHash);
                    WriteCounters(ref w, c.Counters);
                    w.WriteCount(c.Lent.Count);
                    foreach (var (owner, counters) in c.Lent)
                    {
                        w.Write(owner);
                        WriteCounters(ref w, counters);
                    }
                }

                w.Write(m.MessagesSent);
                break;
            case PartitionsHosted m:
                w.Write(m.Partitions);
                WriteRefs(ref w, m.Refs);
                break;
            case PartitionFailed m:
                w.Write(m.Partition);
                w.Write(m.Error);
                w.Write(m.BadInput);
                break;
            case Proceed m:
                w.Write(m.Grant);
                w.Write(m.CapPs);
                w.Write(m.Generation);
                break;
            case WindowReached m:
                w.Write(m.Partition);
                w.Write(m.Window);
                w.Write(m.EarliestPs);
                w.Write(m.Waiting);
                w.Write(m.Handled);
                w.Write(m.BusyTicks);
                w.Write(m.LastHandledPs);
                w.Write(m.ExpectedBatches);
                w.Write(m.Generation);
                break;
            default:
                throw new ArgumentException($"{obj?.GetType().Name} does not travel between processes");
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var messages = manifest is "batch.1" or "open.2" or "done.3" or "take-checkpoint.2" or "collect.4" ? ModelMessages.For(system).Catalog : null;
        var r = new StateReader(bytes, messages);
        object result = manifest switch
        {
            "wire.1" => new WirePartitions(ReadRefs(ref r)),
            "open.2" => new OpenWindow(r.ReadLong("window"), r.ReadLong("end"), r.ReadLong("expected batches"), r.ReadBool("start"), ReadBatches(ref r)),
            "batch.1" => ReadBatch(ref r),
            "done.3" => new WindowDone(
                r.ReadInt("partition"), r.ReadLong("window"), r.ReadLong("handled"), r.ReadLong("next"), r.ReadLong("promise"),
                r.ReadLong("last handled"), r.ReadIntArray("destinations", MaxCount), r.ReadLongArray("batch times", MaxCount), r.ReadLongArray("batch reactions", MaxCount), r.ReadLong("busy ticks"), ReadBatches(ref r)),
            "take-checkpoint.2" => new TakeCheckpoint(r.ReadLong("epoch"), r.ReadLong("before window"), r.ReadLong("expected batches"), ReadBatches(ref r)),
            "image.1" => new PartitionImage(r.ReadInt("partition"), r.ReadLong("epoch"), r.ReadBytes("image", int.MaxValue)),
            "collect.4" => new CollectResults(r.ReadLong("sample time"), r.ReadLong("before window"), r.ReadLong("expected batches"), r.ReadBool("state hashes"), ReadBatches(ref r)),
            "results.4" => ReadResults(ref r),
            "hosted.1" => new PartitionsHosted(r.ReadIntArray("partitions", MaxCount), ReadRefs(ref r)),
            "failed.1" => new PartitionFailed(r.ReadInt("partition"), r.ReadString("error") ?? "", r.ReadBool("bad input")),
            "proceed.1" => new Proceed(r.ReadLong("grant"), r.ReadLong("cap"), r.ReadLong("generation")),
            "reached.1" => new WindowReached(
                r.ReadInt("partition"), r.ReadLong("window"), r.ReadLong("earliest"), r.ReadBool("waiting"), r.ReadLong("handled"),
                r.ReadLong("busy ticks"), r.ReadLong("last handled"), r.ReadLong("expected batches"), r.ReadLong("generation")),
            _ => throw new CorruptStateException($"unknown engine message '{manifest}' (a process of another disco version?)"),
        };
        return r.End ? result : throw new CorruptStateException($"{manifest}: unexpected trailing bytes");
    }

    private static void WriteBatch(ref StateWriter w, EventBatch m)
    {
        w.Write(m.FromPartition);
        w.Write(m.Window);
        w.WriteCount(m.Events.Length);
        foreach (var e in m.Events)
        {
            w.Write(e.TimePs);
            w.Write(e.Sender);
            w.Write(e.Sequence);
            w.Write(e.Target);
            w.Write(e.Message);
        }
    }

    /// <summary>Relayed batches (conductor windows); none is written as an empty list and read back as null.</summary>
    private static void WriteBatches(ref StateWriter w, EventBatch[]? batches)
    {
        w.WriteCount(batches?.Length ?? 0);
        foreach (var b in batches ?? [])
        {
            WriteBatch(ref w, b);
        }
    }

    private static EventBatch[]? ReadBatches(ref StateReader r)
    {
        int n = r.ReadCount("relayed batches", MaxCount);
        if (n == 0)
        {
            return null;
        }

        var batches = new EventBatch[n];
        for (int i = 0; i < n; i++)
        {
            batches[i] = ReadBatch(ref r);
        }

        return batches;
    }

    private static EventBatch ReadBatch(ref StateReader r)
    {
        int from = r.ReadInt("from partition");
        long window = r.ReadLong("window");
        int n = r.ReadCount("events", MaxCount);
        var events = new Event[n];
        for (int i = 0; i < n; i++)
        {
            events[i] = new Event(r.ReadLong("time"), r.ReadInt("sender"), r.ReadLong("sequence"), r.ReadInt("target"), r.ReadMessage("message"));
        }

        return new EventBatch(from, window, events);
    }

    private static PartitionResults ReadResults(ref StateReader r)
    {
        int partition = r.ReadInt("partition");
        long sample = r.ReadLong("sample time");
        int n = r.ReadCount("components", MaxCount);
        var reports = new ComponentReport[n];
        for (int i = 0; i < n; i++)
        {
            int id = r.ReadInt("id");
            string kind = r.ReadString("kind") ?? "";
            int key = r.ReadInt("placement key");
            ulong digest = r.ReadULong("digest");
            long handled = r.ReadLong("handled");
            ulong stateHash = r.ReadULong("state hash");
            var map = ReadCounters(ref r);
            int lentCount = r.ReadCount("lent counters", MaxCount);
            var lent = new Dictionary<int, IReadOnlyDictionary<string, long>>(lentCount);
            for (int k = 0; k < lentCount; k++)
            {
                lent[r.ReadInt("owner")] = ReadCounters(ref r);
            }

            reports[i] = new ComponentReport(id, kind, key, digest, handled, map) { Lent = lent, StateHash = stateHash };
        }

        return new PartitionResults(partition, sample, reports, r.ReadLong("messages sent"));
    }

    private static void WriteCounters(ref StateWriter w, IReadOnlyDictionary<string, long> counters)
    {
        w.WriteCount(counters.Count);
        foreach (var (name, value) in counters)
        {
            w.Write(name);
            w.Write(value);
        }
    }

    private static SortedDictionary<string, long> ReadCounters(ref StateReader r)
    {
        int counters = r.ReadCount("counters", MaxCount);
        var map = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (int k = 0; k < counters; k++)
        {
            map[r.ReadString("counter") ?? ""] = r.ReadLong("value");
        }

        return map;
    }

    private static void WriteRefs(ref StateWriter w, IActorRef[] refs)
    {
        w.WriteCount(refs.Length);
        foreach (var r in refs)
        {
            w.Write(Serialization.SerializedActorPath(r));
        }
    }

    private IActorRef[] ReadRefs(ref StateReader r)
    {
        int n = r.ReadCount("actor refs", MaxCount);
        var refs = new IActorRef[n];
        for (int i = 0; i < n; i++)
        {
            refs[i] = system.Provider.ResolveActorRef(r.ReadString("actor path") ?? "");
        }

        return refs;
    }
}
