namespace Disco.Actors.Engine.Kernel;

/// <summary>
/// A 4-ary min-heap of <see cref="Event"/> structs in (time, sender, sequence) order. Four children per node halve
/// the depth of a binary heap and keep siblings on one cache line pair; the events are stored inline, no boxing.
/// </summary>
public sealed class EventQueue
{
    private Event[] _heap;

    public EventQueue(int capacity = 1024) => _heap = new Event[Math.Max(4, capacity)];

    public int Count { get; private set; }

    /// <summary>Time of the earliest event, or <see cref="long.MaxValue"/> when empty.</summary>
    public long PeekTimePs => Count == 0 ? long.MaxValue : _heap[0].TimePs;

    public ref readonly Event Peek()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("the event queue is empty");
        }

        return ref _heap[0];
    }

    public void Push(in Event e)
    {
        if (Count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        int i = Count++;
        var heap = _heap;
        while (i > 0)
        {
            int parent = (i - 1) >> 2;
            if (!e.Precedes(in heap[parent]))
            {
                break;
            }

            heap[i] = heap[parent];
            i = parent;
        }

        heap[i] = e;
    }

    public Event Pop()
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("the event queue is empty");
        }

        var heap = _heap;
        Event top = heap[0];
        int n = --Count;
        if (n > 0)
        {
            SiftDown(heap, heap[n], n);
        }

        heap[n] = default; // drop the message reference for the GC
        return top;
    }

    /// <summary>All events, in no particular order (checkpoints sort them themselves).</summary>
    public ReadOnlySpan<Event> UnorderedItems => _heap.AsSpan(0, Count);

    public void Clear()
    {
        Array.Clear(_heap, 0, Count);
        Count = 0;
    }

    private static void SiftDown(Event[] heap, in Event e, int n)
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
                if (heap[c].Precedes(in heap[best]))
                {
                    best = c;
                }
            }

            if (!heap[best].Precedes(in e))
            {
                break;
            }

            heap[i] = heap[best];
            i = best;
        }

        heap[i] = e;
    }
}
