namespace Disco.Actors.Engine.Model;

/// <summary>
/// Per component, the least simulated time between an event it handles and the earliest arrival in another partition
/// of anything that event can cause: the shortest path over the links inside its partition to a link that leaves it.
/// A partition whose next events sit on components far from its edge (a processor behind its caches and memory
/// controller) can promise more than its next event plus its smallest outgoing latency, which is what makes windows
/// wider than that latency.
/// </summary>
internal static class OutputDistances
{
    /// <summary>Distances by component id; <see cref="LinkTable.NoLink"/> for a component that can never reach another partition.</summary>
    public static long[] Compute(LinkTable links, IReadOnlyList<int> partitionOf, int partitionCount)
    {
        int n = partitionOf.Count;
        var distance = new long[n];
        Array.Fill(distance, LinkTable.NoLink);
        if (partitionCount <= 1)
        {
            return distance;
        }

        // Sources: a default latency reaches every other partition; explicit links that cross reach one.
        var inward = new List<(int From, long LatencyPs)>?[n];
        for (int c = 0; c < n; c++)
        {
            distance[c] = links.DefaultPs(c);
        }

        foreach (var (from, to, ps) in links.ExplicitLinks())
        {
            if (partitionOf[from] != partitionOf[to])
            {
                distance[from] = Math.Min(distance[from], ps);
            }
            else
            {
                (inward[to] ??= []).Add((from, ps));
            }
        }

        // Dijkstra backwards over the links inside partitions (an explicit link overrides its sender's default, but
        // that default still bounds the sender directly, so going through a local neighbour can only lower it).
        var queue = new PriorityQueue<int, long>();
        for (int c = 0; c < n; c++)
        {
            if (distance[c] != LinkTable.NoLink)
            {
                queue.Enqueue(c, distance[c]);
            }
        }

        while (queue.TryDequeue(out int c, out long d))
        {
            if (d > distance[c] || inward[c] is not { } sources)
            {
                continue;
            }

            foreach (var (from, ps) in sources)
            {
                long via = d + ps;
                if (via < distance[from])
                {
                    distance[from] = via;
                    queue.Enqueue(from, via);
                }
            }
        }

        return distance;
    }
}
