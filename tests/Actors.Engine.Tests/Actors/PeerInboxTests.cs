using System.Diagnostics;

namespace Disco.Actors.Engine.Actors;

public sealed class PeerInboxTests
{
    private static WindowDone Report(int partition, long window) => new(partition, window, 0, long.MaxValue, long.MaxValue, 0, [], [], []);

    /// <summary>
    /// The handshake between senders and an owner that leaves and comes back: every report is either taken before
    /// the owner leaves or comes with a poke, so none is stranded in the queue (the owner would wait for it forever).
    /// Two senders race an owner that leaves after every report, as a partition does when its window is done.
    /// </summary>
    [Fact]
    public void No_report_is_left_in_the_queue_without_a_poke()
    {
        const int PerSender = 200_000;
        var inbox = new PeerInbox();
        using var pokes = new SemaphoreSlim(0);
        var senders = Enumerable.Range(0, 2).Select(s => new Thread(() =>
        {
            for (int i = 0; i < PerSender; i++)
            {
                if (inbox.Post(Report(s, i)))
                {
                    pokes.Release();
                }
            }
        })).ToArray();
        foreach (var t in senders)
        {
            t.Start();
        }

        long[] next = [0, 0];
        int taken = 0;
        while (taken < 2 * PerSender)
        {
            // The owner is woken by a poke (its mailbox), takes what is there, and leaves.
            Assert.True(pokes.Wait(TimeSpan.FromSeconds(30)), $"stranded: {2 * PerSender - taken} reports in the queue and no poke");
            inbox.Enter();
            do
            {
                while (inbox.TryTake(out var report))
                {
                    // Reports of one sender come in the order it sent them.
                    Assert.Equal(next[report.Partition]++, report.Window);
                    taken++;
                }
            }
            while (!inbox.TryLeave());
        }

        foreach (var t in senders)
        {
            t.Join();
        }
        Assert.Equal(PerSender, next[0]);
        Assert.Equal(PerSender, next[1]);
    }

    [Fact]
    public void Polling_returns_a_report_posted_meanwhile_and_gives_up_when_interrupted()
    {
        var inbox = new PeerInbox();
        inbox.Enter();
        bool poked = true;
        var sender = new Thread(() => poked = inbox.Post(Report(1, 7)));
        sender.Start();
        Assert.True(inbox.Await(Stopwatch.Frequency * 10, () => false, out var report));
        Assert.Equal(7, report.Window);
        sender.Join();
        Assert.False(poked, "an active owner needs no poke");

        Assert.False(inbox.Await(Stopwatch.Frequency * 10, () => true, out _));
        Assert.True(inbox.TryLeave());
        Assert.True(inbox.Post(Report(1, 8)), "an idle owner must be poked");
    }

    [Fact]
    public void Partitions_poll_only_with_a_thread_each()
    {
        Assert.Equal(Environment.ProcessorCount >= 2, new LocalPeers([0, 1], 2, threads: 2).PollTicks > 0);
        Assert.Equal(0, new LocalPeers([0, 1, 2, 3], 4, threads: 2).PollTicks);
        Assert.Equal(0, new LocalPeers([0], 1, threads: 2).PollTicks);

        // A worker of a cluster has inboxes for its own partitions only: the others' reports go by their mailboxes.
        var worker = new LocalPeers([2, 3], 4, threads: 2);
        Assert.Null(worker.Inboxes[0]);
        Assert.NotNull(worker.Inboxes[3]);
    }
}
