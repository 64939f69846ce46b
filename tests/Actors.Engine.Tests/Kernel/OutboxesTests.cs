using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Phold;

namespace Disco.Actors.Engine.Tests.Kernel;

public class OutboxesTests
{
    [Fact]
    public void Drain_groups_by_destination_keeps_send_order_and_reports_the_earliest_time()
    {
        var boxes = new Outboxes();
        int[] destinations = [5, 2, 5, 9, 2, 5, 1, 9, 9, 3, 5, 7];
        for (int i = 0; i < destinations.Length; i++)
        {
            boxes.Add(destinations[i], new Event(100 - i, 0, i, 0, PholdEvent.Instance));
        }

        var batches = boxes.Drain();
        Assert.Equal([1, 2, 3, 5, 7, 9], batches.Select(b => b.Destination));
        foreach (var b in batches)
        {
            var expected = Enumerable.Range(0, destinations.Length).Where(i => destinations[i] == b.Destination).ToArray();
            Assert.Equal(expected.Select(i => (long)i), b.Events.Select(e => e.Sequence));
            Assert.Equal(b.Events.Min(e => e.TimePs), b.MinTimePs);
        }

        Assert.Empty(boxes.Drain());
    }
}
