namespace Disco.Actors.Engine.Kernel;

/// <summary>The events one window sent to one other partition, and the earliest of their times.</summary>
public readonly record struct OutgoingBatch(int Destination, Event[] Events, long MinTimePs);

/// <summary>
/// A partition's outgoing events of the current window. They are kept in one flat buffer tagged with their
/// destination and grouped only when the window ends: a partition sends to few destinations per window but may meet
/// every other partition over a run, and one small buffer stays in cache where per-destination lists would not.
/// </summary>
internal sealed class Outboxes
{
    private readonly List<OutgoingBatch> _drained = [];
    private Event[] _events = new Event[8];
    private int[] _destinations = new int[8];
    private int _count;

    public void Add(int destination, in Event e)
    {
        if (_count == _events.Length)
        {
            Array.Resize(ref _events, _count * 2);
            Array.Resize(ref _destinations, _count * 2);
        }

        _events[_count] = e;
        _destinations[_count] = destination;
        _count++;
    }

    public IReadOnlyList<OutgoingBatch> Drain()
    {
        _drained.Clear();
        int n = _count;
        if (n == 0)
        {
            return _drained;
        }

        // Stable grouping by destination: sort (destination, position) keys, then cut runs.
        var events = _events;
        var destinations = _destinations;
        if (!IsSortedByDestination(destinations, n))
        {
            var keys = new long[n];
            for (int i = 0; i < n; i++)
            {
                keys[i] = ((long)destinations[i] << 32) | (uint)i;
            }

            Array.Sort(keys);
            var sortedEvents = new Event[n];
            for (int i = 0; i < n; i++)
            {
                int from = (int)(keys[i] & 0xFFFF_FFFF);
                sortedEvents[i] = events[from];
                destinations[i] = (int)(keys[i] >> 32);
            }

            Array.Copy(sortedEvents, events, n);
        }

        int start = 0;
        while (start < n)
        {
            int d = destinations[start];
            int end = start + 1;
            long min = events[start].TimePs;
            while (end < n && destinations[end] == d)
            {
                min = Math.Min(min, events[end].TimePs);
                end++;
            }

            _drained.Add(new OutgoingBatch(d, events[start..end], min));
            start = end;
        }

        Array.Clear(events, 0, n);
        _count = 0;
        return _drained;
    }

    private static bool IsSortedByDestination(int[] destinations, int n)
    {
        for (int i = 1; i < n; i++)
        {
            if (destinations[i] < destinations[i - 1])
            {
                return false;
            }
        }

        return true;
    }
}
