using System.Text;
using Disco.Actors.Engine.Model;

namespace Disco.Actors.Engine.Tracing;

/// <summary>
/// A run's message trace: every message a component handles (time, sender, sequence number, receiver, kind), in a
/// compact binary file. Each event loop fills its own <see cref="MessageTraceBuffer"/> and hands it here in chunks,
/// so loops on different threads never wait for each other but at a chunk's write. The file holds the run's
/// component names and message kind names (so it can be read without the model), then the chunks; chunks of
/// different loops interleave, so a reader sorts (<see cref="MessageTraceReader"/>).
/// </summary>
public sealed class MessageTrace : IDisposable
{
    /// <summary>"DISCOTR1": the file's first bytes.</summary>
    public static readonly byte[] Magic = "DISCOTR1"u8.ToArray();

    private readonly Stream _file;
    private readonly MessageTraceFilter _filter;
    private readonly object _gate = new();
    private readonly List<MessageTraceBuffer> _buffers = [];
    private long _records;
    private bool _disposed;

    private MessageTrace(Stream file, MessageTraceFilter filter)
    {
        _file = file;
        _filter = filter;
    }

    /// <summary>Records written so far (every loop's flushed chunks).</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Creates the file and writes its header: the components' names and the model's message kinds.</summary>
    public static MessageTrace Create(string path, SimulationModel model, MessageTraceFilter filter)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(filter);
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        using (var header = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true))
        {
            header.Write(Magic);
            header.Write7BitEncodedInt(model.Components.Count);
            foreach (var c in model.Components)
            {
                header.Write(c.Kind);
            }

            var kinds = model.Messages.Kinds.OrderBy(k => k.Kind).ToList();
            header.Write7BitEncodedInt(kinds.Count);
            foreach (var (kind, type) in kinds)
            {
                header.Write7BitEncodedInt(kind);
                header.Write(type.Name);
            }
        }

        return new MessageTrace(file, filter);
    }

    /// <summary>A buffer for one event loop.</summary>
    public MessageTraceBuffer ForLoop()
    {
        var buffer = new MessageTraceBuffer(this, _filter);
        lock (_gate)
        {
            _buffers.Add(buffer);
        }

        return buffer;
    }

    internal void WriteChunk(ReadOnlySpan<byte> records, int count)
    {
        lock (_gate)
        {
            WriteChunkLocked(records, count);
        }
    }

    internal void WriteChunkLocked(ReadOnlySpan<byte> records, int count)
    {
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            Span<byte> length = stackalloc byte[10];
            int n = WriteVarint(length, (ulong)records.Length);
            _file.Write(length[..n]);
            _file.Write(records);
            _records += count;
        }
    }

    internal static int WriteVarint(Span<byte> into, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            into[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        into[i++] = (byte)value;
        return i;
    }

    /// <summary>Flushes every loop's buffer and closes the file; call it once the run has returned.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                foreach (var b in _buffers)
                {
                    b.FlushLocked();
                }

                _disposed = true;
                _file.Dispose();
            }
        }
    }
}
