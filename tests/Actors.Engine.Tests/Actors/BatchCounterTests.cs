using Disco.Actors.Engine.Actors;

namespace Disco.Actors.Engine.Tests.Actors;

public class BatchCounterTests
{
    [Fact]
    public void A_batch_of_a_later_window_does_not_count_for_an_earlier_one()
    {
        // Window 7's batch from a local partition overtakes window 6's batch from another process.
        var counter = new BatchCounter();
        counter.Add(5);
        counter.Add(7);
        Assert.Equal(1, counter.Before(7)); // window 7 may not start: window 6's batch is still missing
        counter.Add(6);
        Assert.Equal(2, counter.Before(7));
        Assert.Equal(3, counter.Before(8));
    }

    [Fact]
    public void Late_batches_of_folded_windows_still_count()
    {
        var counter = new BatchCounter();
        Assert.Equal(0, counter.Before(3));
        counter.Add(1);
        counter.Add(2);
        counter.Add(9);
        Assert.Equal(2, counter.Before(4));
        Assert.Equal(3, counter.Before(10));
    }
}
