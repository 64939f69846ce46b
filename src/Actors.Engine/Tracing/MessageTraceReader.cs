using System.Text;

namespace Disco.Actors.Engine.Tracing;

/// <summary>A trace file read back: its components, its message kinds and its records in handling order.</summary>
/// <param name="ComponentKinds">Each component's kind, by component id.</param>
/// <param name="KindNames">Each message kind's type name.</param>
/// <param name="Records">Sorted by (time, receiver, the receiver's handling order): the same for every layout.</param>
/// <param name="Truncated">The last chunk was cut short (the run was killed while writing it); what precedes it is kept.</param>
public sealed record MessageTraceFile(IReadOnlyList<string> ComponentKinds, IReadOnlyDictionary<int, string> KindNames, IReadOnlyList<TraceRecord> Records, bool Truncated)
{
    public string ComponentName(int id) => (uint)id < (uint)ComponentKinds.Count ? $"{ComponentKinds[id]}#{id}" : $"#{id}";

    public string KindName(int kind) => KindNames.TryGetValue(kind, out var name) ? name : $"kind {kind}";
}

/// <summary>Reads a file written by <see cref="MessageTrace"/>; anything else is an <see cref="InvalidDataException"/>.</summary>
public static class MessageTraceReader
{
    private const int MaxComponents = 1 << 23;

    public static MessageTraceFile Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var reader = new BinaryReader(file, Encoding.UTF8);
        try
        {
            var magic = reader.ReadBytes(MessageTrace.Magic.Length);
            if (!magic.AsSpan().SequenceEqual(MessageTrace.Magic))
            {
                throw new InvalidDataException("not a Disco.Actors message trace (it does not start with DISCOTR1)");
            }

            int components = Count(reader.Read7BitEncodedInt(), MaxComponents, "component count");
            var kinds = new string[components];
            for (int i = 0; i < components; i++)
            {
                kinds[i] = reader.ReadString();
            }

            int kindCount = Count(reader.Read7BitEncodedInt(), 1 << 16, "message kind count");
            var names = new Dictionary<int, string>(kindCount);
            for (int i = 0; i < kindCount; i++)
            {
                int kind = reader.Read7BitEncodedInt();
                names[kind] = reader.ReadString();
            }

            var (records, truncated) = ReadChunks(file, components);
            records.Sort(static (a, b) => a.TimePs != b.TimePs ? a.TimePs.CompareTo(b.TimePs)
                : a.Target != b.Target ? a.Target.CompareTo(b.Target)
                : a.TargetSequenceBefore != b.TargetSequenceBefore ? a.TargetSequenceBefore.CompareTo(b.TargetSequenceBefore)
                : a.Sender != b.Sender ? a.Sender.CompareTo(b.Sender) : a.Sequence.CompareTo(b.Sequence));
            return new MessageTraceFile(kinds, names, records, truncated);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the trace's header is cut short");
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException("the trace's header is damaged: " + ex.Message);
        }
    }

    private static (List<TraceRecord> Records, bool Truncated) ReadChunks(Stream file, int components)
    {
        var records = new List<TraceRecord>();
        var rest = new MemoryStream();
        file.CopyTo(rest);
        var bytes = rest.GetBuffer().AsSpan(0, (int)rest.Length);
        int at = 0;
        while (at < bytes.Length)
        {
            if (!TryVarint(bytes, ref at, out ulong length) || length > (ulong)(bytes.Length - at))
            {
                return (records, true);
            }

            var chunk = bytes.Slice(at, (int)length);
            at += (int)length;
            int pos = 0;
            long timePs = 0;
            while (pos < chunk.Length)
            {
                if (!TryVarint(chunk, ref pos, out ulong dt) || !TryVarint(chunk, ref pos, out ulong sender) || !TryVarint(chunk, ref pos, out ulong seq)
                    || !TryVarint(chunk, ref pos, out ulong target) || !TryVarint(chunk, ref pos, out ulong kind) || !TryVarint(chunk, ref pos, out ulong before))
                {
                    throw new InvalidDataException("a chunk of the trace is damaged");
                }

                timePs += (long)dt;
                if (sender >= (ulong)components || target >= (ulong)components || kind > int.MaxValue || timePs < 0)
                {
                    throw new InvalidDataException($"a record names component {Math.Max(sender, target)} of {components}, or a bad time or kind");
                }

                records.Add(new TraceRecord(timePs, (int)sender, (long)seq, (int)target, (int)kind, (long)before));
            }
        }

        return (records, false);
    }

    private static bool TryVarint(ReadOnlySpan<byte> bytes, ref int at, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length)
            {
                return false;
            }

            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static int Count(int value, int max, string what) =>
        value >= 0 && value <= max ? value : throw new InvalidDataException($"the trace's {what} {value} is out of range");
}
