using System.Runtime.CompilerServices;

namespace Disco.Actors.Engine.Kernel;

/// <summary>
/// A 4-ary min-heap of events in (time, sender, sequence) order. The heap itself holds only 24-byte entries (time, a
/// packed sender-and-sequence key, and the index of the event's slot); target and message stay in their slot and
/// never move. Sifting then compares two longs and moves small structs, which is what the hot path of every engine
/// spends its time on (see bench/Actors.Benchmarks EventQueueBenchmarks).
/// </summary>
public sealed class EventQueue
{
    // Sender ids below 2^23 and per-sender sequence numbers below 2^40 pack into one ordered key.
    private const int SequenceBits = 40;
    private const long MaxSequence = (1L << SequenceBits) - 1;
    private const int MaxSender = (1 << (63 - SequenceBits)) - 1;

    private Entry[] _heap;
    private int[] _targets;
    private Components.ISimMessage?[] _messages;
    private int[] _freeSlots;
    private int _freeCount;

    public EventQueue(int capacity = 1024)
    {
        capacity = Math.Max(4, capacity);
        _heap = new Entry[capacity];
        _targets = new int[capacity];
        _messages = new Components.ISimMessage?[capacity];
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
        _targets[slot] = e.Target;
        _messages[slot] = e.Message;
        var entry = new Entry(e.TimePs, ((long)e.Sender << SequenceBits) | e.Sequence, slot);

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
        _messages[top.Slot] = null; // let the GC have the message
        _freeSlots[_freeCount++] = top.Slot;
        return e;
    }

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
        new(entry.TimePs, (int)(entry.Key >> SequenceBits), entry.Key & MaxSequence, _targets[entry.Slot], _messages[entry.Slot]!);

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
        Array.Resize(ref _targets, size);
        Array.Resize(ref _messages, size);
        Array.Resize(ref _freeSlots, size);
        for (int slot = size - 1; slot >= old; slot--)
        {
            _freeSlots[_freeCount++] = slot;
        }
    }

    private readonly record struct Entry(long TimePs, long Key, int Slot);
}
