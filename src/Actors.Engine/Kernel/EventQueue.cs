using System.Runtime.CompilerServices;

namespace Disco.Actors.Engine.Kernel;

/// <summary>
/// A 4-ary min-heap of events in (time, sender, sequence) order, where "sender" is the sender's rank under the run's
/// <see cref="TieOrder"/> (its id in the canonical order). The heap itself holds only 24-byte entries (time, a
/// packed rank-and-sequence key, the index of the event's slot and the target); the message (and, when the key
/// holds a rank, the sender) stays in its slot and never moves. Sifting then compares two longs and moves small
/// structs, which is what the hot path of every engine spends its time on (see bench/Actors.Benchmarks
/// EventQueueBenchmarks).
/// </summary>
public sealed class EventQueue
{
    // Sender ids below 2^23 and per-sender sequence numbers below 2^40 pack into one ordered key.
    private const int SequenceBits = 40;
    private const long MaxSequence = (1L << SequenceBits) - 1;
    private const int MaxSender = (1 << (63 - SequenceBits)) - 1;

    private readonly TieOrder _order;
    private Entry[] _heap;
    private int[] _senders; // only when the key holds a rank instead of the sender (every order but canonical)
    private long[] _sequences; // only in arrival order, where the key holds the arrival number instead
    private MessageSlot[] _messages; // a struct array: storing into it needs no covariance check, unlike an interface array
    private int[] _freeSlots;
    private int _freeCount;
    private long _arrivals;

    public EventQueue(int capacity = 1024, TieOrder order = default)
    {
        capacity = Math.Max(4, capacity);
        _order = order;
        _heap = new Entry[capacity];
        _senders = new int[order.Kind == TieOrderKind.Canonical ? 0 : capacity];
        _sequences = new long[order.Kind == TieOrderKind.Arrival ? capacity : 0];
        _messages = new MessageSlot[capacity];
        _freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _freeSlots[i] = capacity - 1 - i;
        }

        _freeCount = capacity;
    }

    public int Count { get; private set; }

    /// <summary>Time of the earliest event, or <see cref="long.MaxValue"/> when empty.</summary>
    public long PeekTimePs => Count == 0 ? long.MaxValue : _heap[0].TimePs;

    public Event Peek() => Count == 0 ? throw new InvalidOperationException("the event queue is empty") : ToEvent(in _heap[0]);

    public void Push(in Event e)
    {
        if ((uint)e.Sender > MaxSender || (ulong)e.Sequence > MaxSequence)
        {
            throw new InvalidOperationException($"event {e} is beyond the queue's key range (sender < {MaxSender + 1}, sequence < 2^{SequenceBits})");
        }

        if (Count == _heap.Length)
        {
            Grow();
        }

        int slot = _freeSlots[--_freeCount];
        if (_senders.Length > 0)
        {
            _senders[slot] = e.Sender;
        }

        _messages[slot].Message = e.Message;
        long key = _order.Kind switch
        {
            TieOrderKind.Canonical => ((long)e.Sender << SequenceBits) | e.Sequence,
            TieOrderKind.Arrival => Arrive(slot, e.Sequence),
            _ => ((long)_order.Rank(e.Target, e.TimePs, e.Sender) << SequenceBits) | e.Sequence,
        };
        var entry = new Entry(e.TimePs, key, slot, e.Target);

        int i = Count++;
        var heap = _heap;
        while (i > 0)
        {
            int parent = (i - 1) >> 2;
            if (!Precedes(in entry, in heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = entry;
    }

    public Event Pop()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("the event queue is empty");
        }

        var heap = _heap;
        Entry top = heap[0];
        int n = --Count;
        if (n > 0)
        {
            SiftDown(heap, heap[n], n);
        }

        var e = ToEvent(in top);
        _messages[top.Slot].Message = null; // let the GC have the message
        _freeSlots[_freeCount++] = top.Slot;
        return e;
    }

    /// <summary>
    /// The least of (time + <paramref name="addPs"/>[target]) over the queued events, saturating at
    /// <see cref="long.MaxValue"/>; <paramref name="minAddPs"/> is the least of <paramref name="addPs"/>. A subtree
    /// whose root is already too late to beat the best found is skipped, so only the events within the spread of
    /// the additions of the earliest one are visited.
    /// </summary>
    public long MinTimePlus(long[] addPs, long minAddPs)
    {
        ArgumentNullException.ThrowIfNull(addPs);
        if (Count == 0 || minAddPs == long.MaxValue)
        {
            return long.MaxValue;
        }

        long best = long.MaxValue;
        var heap = _heap;
        int n = Count;
        Span<int> stack = stackalloc int[64];
        Stack<int>? pending = null; // a deep, wide search overflows the stack buffer: rare, so allocated then
        int top = 0;
        stack[top++] = 0;
        while (top > 0 || pending?.Count > 0)
        {
            int i = top > 0 ? stack[--top] : pending!.Pop();
            ref readonly var e = ref heap[i];
            if (e.TimePs >= SaturatingMinus(best, minAddPs))
            {
                continue;
            }

            long add = addPs[e.Target];
            long at = add == long.MaxValue || e.TimePs > long.MaxValue - add ? long.MaxValue : e.TimePs + add;
            best = Math.Min(best, at);
            int first = (i << 2) + 1;
            int last = Math.Min(first + 4, n);
            for (int c = first; c < last; c++)
            {
                if (top < stack.Length)
                {
                    stack[top++] = c;
                }
                else
                {
                    (pending ??= new Stack<int>()).Push(c);
                }
            }
        }

        return best;
    }

    private static long SaturatingMinus(long value, long minus) => value == long.MaxValue ? long.MaxValue : value - minus;

    /// <summary>All events, in no particular order (checkpoints sort them themselves).</summary>
    public IEnumerable<Event> UnorderedItems()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return ToEvent(in _heap[i]);
        }
    }

    public void Clear()
    {
        while (Count > 0)
        {
            Pop();
        }
    }

    private Event ToEvent(in Entry entry) =>
        new(entry.TimePs, SenderOf(in entry), SequenceOf(in entry), entry.Target, _messages[entry.Slot].Message!);

    private int SenderOf(in Entry entry) =>
        _senders.Length == 0 ? (int)(entry.Key >> SequenceBits) : _senders[entry.Slot];

    /// <summary>Arrival order numbers events as they come; per-pair order holds because a sender's events arrive in sequence order.</summary>
    private long Arrive(int slot, long sequence)
    {
        _sequences[slot] = sequence;
        return _arrivals++;
    }

    private long SequenceOf(in Entry entry) =>
        _order.Kind == TieOrderKind.Arrival ? _sequences[entry.Slot] : entry.Key & MaxSequence;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Precedes(in Entry a, in Entry b) => a.TimePs < b.TimePs || (a.TimePs == b.TimePs && a.Key < b.Key);

    private static void SiftDown(Entry[] heap, Entry e, int n)
    {
        int i = 0;
        while (true)
        {
            int first = (i << 2) + 1;
            if (first >= n)
            {
                break;
            }

            int best = first;
            int last = Math.Min(first + 4, n);
            for (int c = first + 1; c < last; c++)
            {
                if (Precedes(in heap[c], in heap[best]))
                {
                    best = c;
                }
            }

            if (!Precedes(in heap[best], in e))
            {
                break;
            }

            heap[i] = heap[best];
            i = best;
        }

        heap[i] = e;
    }

    private void Grow()
    {
        int old = _heap.Length;
        int size = old * 2;
        Array.Resize(ref _heap, size);
        if (_senders.Length > 0)
        {
            Array.Resize(ref _senders, size);
        }

        if (_sequences.Length > 0)
        {
            Array.Resize(ref _sequences, size);
        }

        Array.Resize(ref _messages, size);
        Array.Resize(ref _freeSlots, size);
        for (int slot = size - 1; slot >= old; slot--)
        {
            _freeSlots[_freeCount++] = slot;
        }
    }

    private struct MessageSlot
    {
        public Components.ISimMessage? Message;
    }

    // The target fills what would be padding (24 bytes either way) and saves a slot-array miss per pop.
    private readonly record struct Entry(long TimePs, long Key, int Slot, int Target);
}
