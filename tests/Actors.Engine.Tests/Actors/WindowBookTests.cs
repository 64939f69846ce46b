using Disco.Actors.Engine.Actors;

namespace Disco.Actors.Engine.Tests.Actors;

public class WindowBookTests
{
    private static WindowDone Report(int partition, long nextPs, long promisePs, int[]? to = null, long[]? atPs = null, long[]? reactionPs = null) =>
        new(partition, 0, 1, nextPs, promisePs, 0, to ?? [], atPs ?? [], reactionPs ?? []);

    private static WindowBook Folded(long[]? reactions, params WindowDone[] reports)
    {
        var book = new WindowBook(reports.Length, reactions);
        foreach (var r in reports)
        {
            book.Apply(r);
        }

        book.Fold();
        return book;
    }

    [Fact]
    public void The_partition_with_the_least_promise_runs_to_the_next_promise_or_its_own_promise_plus_the_others_reaction()
    {
        var book = Folded([50, 70, 60], Report(0, 20, 100), Report(1, 30, 300), Report(2, 40, 250));

        Assert.Equal(100, book.HorizonPs);
        Assert.Equal(160, book.EndPs(0)); // 100 + the least reaction of partitions 1 and 2; 250 is later
        Assert.Equal(100, book.EndPs(1)); // partition 0 may send to it from 100 on
        Assert.Equal(100, book.EndPs(2));
        Assert.Equal(3, book.WokenOwn(long.MaxValue));
        Assert.Equal(1, book.WokenOwn(25)); // the cap wakes only partition 0's event at 20
    }

    [Fact]
    public void The_next_promise_bounds_when_it_comes_first_and_a_partition_s_own_reaction_never_counts()
    {
        // Partition 0 has the least reaction itself: its answer comes from the others' (60), and 130 < 100 + 60.
        var book = Folded([40, 70, 60], Report(0, 20, 100), Report(1, 30, 130), Report(2, 40, 250));
        Assert.Equal(130, book.EndPs(0));
        Assert.Equal(100, book.EndPs(1));
    }

    [Fact]
    public void A_batch_lowers_its_destination_s_promise_before_the_ends_are_decided()
    {
        // Partition 1 sends partition 0 a batch whose reaction (90) is earlier than partition 0's own promise.
        var book = Folded([50, 70, 60], Report(0, 20, 100), Report(1, 30, 300, [0], [85], [90]), Report(2, 40, 250));
        Assert.Equal(90, book.HorizonPs);
        Assert.Equal(20, book.NextPs(0));
        Assert.Equal(150, book.EndPs(0));
        Assert.Equal(90, book.EndPs(2));
    }

    [Fact]
    public void Without_reactions_every_window_ends_at_the_horizon()
    {
        var book = Folded(null, Report(0, 20, 100), Report(1, 30, 300));
        Assert.Equal(100, book.EndPs(0));
        Assert.Equal(100, book.EndPs(1));
    }

    [Fact]
    public void A_partition_with_nothing_to_send_does_not_bound_the_others()
    {
        var book = Folded([50, 70], Report(0, 20, 100), Report(1, long.MaxValue, long.MaxValue));
        Assert.Equal(170, book.EndPs(0));
        Assert.Equal(100, book.EndPs(1));
        Assert.Equal(1, book.WokenOwn(long.MaxValue));
    }
}
