using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Phold;

namespace Disco.Actors.Engine.Tests.Kernel;

public class EventQueueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Pops_in_time_sender_sequence_order_for_random_inserts(int seed)
    {
        var rng = new Random(seed);
        var queue = new EventQueue(4);
        var all = new List<Event>();
        for (int i = 0; i < 5000; i++)
        {
            // Few distinct times and senders: plenty of ties to break.
            var e = new Event(rng.Next(20), rng.Next(5), i, 0, PholdEvent.Instance);
            all.Add(e);
            queue.Push(in e);
            if (rng.Next(3) == 0)
            {
                var popped = queue.Pop();
                all.Remove(all.OrderBy(x => x.TimePs).ThenBy(x => x.Sender).ThenBy(x => x.Sequence).First(x => x.Sequence == popped.Sequence));
                Assert.DoesNotContain(all, x => x.Precedes(in popped));
            }
        }

        var expected = all.OrderBy(x => x.TimePs).ThenBy(x => x.Sender).ThenBy(x => x.Sequence).Select(x => x.Sequence).ToList();
        var actual = new List<long>();
        while (queue.Count > 0)
        {
            actual.Add(queue.Pop().Sequence);
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void An_empty_queue_reports_never_as_its_next_time()
    {
        var queue = new EventQueue();
        Assert.Equal(long.MaxValue, queue.PeekTimePs);
        Assert.Throws<InvalidOperationException>(() => queue.Pop());
    }
}
