using Disco.Actors.Hardware.Coherence;

namespace Disco.Actors.Hardware.Tests.Coherence;

public class CoherenceInvariantTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (int s = 1; s <= 40; s++)
        {
            seeds.Add(s);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void One_writer_or_many_readers_and_the_directory_agrees_with_every_cache_at_every_step(int seed)
    {
        // 12000 steps: about half the deliveries are the directories' requests to memory and its answers.
        var h = new ProtocolHarness(nodes: 2 + (seed % 4), seed);
        for (int step = 0; step < 12000; step++)
        {
            h.Step();
            Assert.Null(h.Violation());
        }

        h.Drain(() => Assert.Null(h.Violation()));
        Assert.True(h.Accesses > 1000);
        Assert.All(h.Lines, line =>
        {
            var v = h.Directories[h.Controllers[0].HomeOf(line)].View(new(line));
            Assert.False(v.Busy, $"line {line:x} still busy after the drain");
            Assert.Equal(0, v.Waiting);
        });
        Assert.All(h.Directories, d =>
        {
            Assert.Equal(0, d.HeldMessages);
            Assert.Equal(0, d.MemoryRequestsOutstanding);
        });
    }

    [Fact]
    public void The_random_streams_reach_every_protocol_path()
    {
        // Guards the test above against being vacuous: across seeds, every kind of race must have happened.
        long forwards = 0, invalidations = 0, writebacks = 0, upgrades = 0, queued = 0, dma = 0, hot = 0, memoryWrites = 0;
        for (int seed = 1; seed <= 10; seed++)
        {
            var h = new ProtocolHarness(nodes: 4, seed);
            for (int step = 0; step < 6000; step++)
            {
                h.Step();
            }

            h.Drain(() => { });
            forwards += h.Directories.Sum(d => d.ForwardsSent);
            invalidations += h.Directories.Sum(d => d.InvalidationsSent);
            writebacks += h.Directories.Sum(d => d.Writebacks);
            upgrades += h.Directories.Sum(d => d.Upgrades);
            queued += h.Directories.Sum(d => d.QueuedRequests);
            dma += h.DmaCompleted;
            hot += h.HotPageInterrupts;
            memoryWrites += h.Memories.Sum(m => m.Writes);
        }

        Assert.All(new[] { forwards, invalidations, writebacks, upgrades, queued, dma, hot, memoryWrites }, n => Assert.True(n > 20, $"a protocol path was hardly exercised: {n}"));
    }
}
