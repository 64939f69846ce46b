namespace Disco.Actors.Engine.Tracing;

/// <summary>
/// One event loop's share of a <see cref="MessageTrace"/>: records accumulate here and go to the file a chunk at a
/// time. Each record is six varints: time since the buffer's previous record (a loop handles in time order, so it
/// is never negative), sender, sender's sequence number, receiver, message kind, and the receiver's own next
/// sequence number before it handled the message — from which a reader finds when a message was sent: during the
/// sender's handling whose number range holds the message's sequence number.
/// </summary>
public sealed class MessageTraceBuffer
{
    private const int ChunkBytes = 1 << 20;

    private readonly MessageTrace _trace;
    private readonly MessageTraceFilter _filter;
    private readonly byte[] _bytes = new byte[ChunkBytes + 64];
    private int _length;
    private int _count;
    private long _lastPs;

    internal MessageTraceBuffer(MessageTrace trace, MessageTraceFilter filter)
    {
        _trace = trace;
        _filter = filter;
    }

    /// <summary>Records a message as its receiver handles it (if the filter keeps it).</summary>
    public void Delivered(long timePs, int sender, long sequence, int target, int kind, long targetSequenceBefore)
    {
        if (!_filter.Keeps(target, timePs))
        {
            return;
        }

        var span = _bytes.AsSpan(_length);
        int n = MessageTrace.WriteVarint(span, (ulong)(timePs - _lastPs));
        n += MessageTrace.WriteVarint(span[n..], (uint)sender);
        n += MessageTrace.WriteVarint(span[n..], (ulong)sequence);
        n += MessageTrace.WriteVarint(span[n..], (uint)target);
        n += MessageTrace.WriteVarint(span[n..], (uint)kind);
        n += MessageTrace.WriteVarint(span[n..], (ulong)targetSequenceBefore);
        _length += n;
        _count++;
        _lastPs = timePs;
        if (_length >= ChunkBytes)
        {
            Flush();
        }
    }

    /// <summary>Writes what is buffered (at a chunk's end, and when the run ends or stops).</summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        _trace.WriteChunk(_bytes.AsSpan(0, _length), _count);
        Reset();
    }

    /// <summary>Flushes under the trace's lock (the trace is closing).</summary>
    internal void FlushLocked()
    {
        if (_count > 0)
        {
            _trace.WriteChunkLocked(_bytes.AsSpan(0, _length), _count);
            Reset();
        }
    }

    private void Reset()
    {
        _length = 0;
        _count = 0;
        _lastPs = 0;
    }
}
