using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The directory's two ports. To its memory controller: reads and fences numbered in order (the controller answers
/// in that order), writes unnumbered. To everyone else: a FIFO queue whose entries may wait for a memory answer; an
/// entry leaves only after every entry before it, so a data reply waiting for memory holds back what the directory
/// sent after it (a later forward or invalidation on the same path), and each processor↔home path stays FIFO.
/// </summary>
public sealed class HomePort : IStateful
{
    /// <summary>More than any directory can have waiting: one reply or forward per line transaction and node, and DMA.</summary>
    private const int MaxWaiting = 1 << 20;

    private readonly ComponentId _memory;
    private readonly FifoPort _out = new();
    private readonly FifoPort _toMemory = new();
    private readonly Queue<PendingSend> _waiting = new();
    private long _lastSequence;
    private long _answered;

    public HomePort(ComponentId memoryController) => _memory = memoryController;

    /// <summary>Messages held back (behind a memory answer).</summary>
    public int Waiting => _waiting.Count;

    /// <summary>Requests to memory still unanswered.</summary>
    public long Outstanding => _lastSequence - _answered;

    /// <summary>Asks memory for a line at <paramref name="leavePs"/>: the sequence number its answer will carry.</summary>
    public long Read(long line, long leavePs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        long sequence = ++_lastSequence;
        outbox.Send(_memory, _toMemory.Leave(leavePs), new MemoryRead(new LineAddress(line), sequence));
        return sequence;
    }

    public void Write(long line, long leavePs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        outbox.Send(_memory, _toMemory.Leave(leavePs), new MemoryWrite(new LineAddress(line)));
    }

    /// <summary>Asks memory to say when it has finished everything given so far: the sequence number of that answer.</summary>
    public long Fence(long leavePs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        long sequence = ++_lastSequence;
        outbox.Send(_memory, _toMemory.Leave(leavePs), new MemoryFence(sequence));
        return sequence;
    }

    /// <summary>
    /// Sends <paramref name="message"/> at <paramref name="readyPs"/>, or later: after everything queued before it, and
    /// after memory's answer <paramref name="waitFor"/> (0 or an answered number: no wait).
    /// </summary>
    public void Send(ComponentId target, long readyPs, ISimMessage message, ICoherenceOutbox outbox, long waitFor = 0)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        if (_waiting.Count == 0 && waitFor <= _answered)
        {
            outbox.Send(target, _out.Leave(readyPs), message);
            return;
        }

        _waiting.Enqueue(new PendingSend(target.Value, readyPs, waitFor, message));
    }

    /// <summary>Memory's answer <paramref name="sequence"/> arrived at <paramref name="nowPs"/>: what waited for it leaves, with what queued behind it.</summary>
    public void Answered(long sequence, long nowPs, ICoherenceOutbox outbox)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        if (sequence != _answered + 1 || sequence > _lastSequence)
        {
            // The link and the controller are FIFO: anything else is a bug.
            throw new InvalidOperationException($"memory answer {sequence} out of order (last answered {_answered}, last asked {_lastSequence})");
        }

        _answered = sequence;
        while (_waiting.TryPeek(out var next) && next.WaitFor <= _answered)
        {
            _waiting.Dequeue();
            outbox.Send(new ComponentId(next.Target), _out.Leave(Math.Max(next.ReadyPs, nowPs)), next.Message);
        }
    }

    public void DeclareState(ref StateIo io)
    {
        io.Part(_out);
        io.Part(_toMemory);
        io.Long("last memory sequence", ref _lastSequence, 0);
        io.Long("last memory answer", ref _answered, 0, _lastSequence);
        long last = _lastSequence;
        io.Queue("held messages", _waiting, MaxWaiting, (ref StateIo inner, ref PendingSend p) =>
        {
            int target = p.Target;
            long ready = p.ReadyPs;
            long waitFor = p.WaitFor;
            var message = p.Message;
            inner.Int("held target", ref target, 0);
            inner.Long("held ready", ref ready, 0);
            inner.Long("held wait", ref waitFor, 0, last);
            inner.Message("held message", ref message);
            p = new PendingSend(target, ready, waitFor, message);
        });
    }
}
