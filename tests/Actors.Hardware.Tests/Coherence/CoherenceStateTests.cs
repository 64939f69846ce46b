using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;
using Disco.Actors.Hardware.Tests.Machine;
using CoherenceDirectory = Disco.Actors.Hardware.Coherence.Directory;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Coherence;

/// <summary>The protocol's parts, stopped in the middle of random traffic (lines busy, requests queued, DMA in flight), load what they saved.</summary>
public class CoherenceStateTests
{
    /// <summary>At least 3000 steps, then on until some reply waits for memory (a held message in a directory's port).</summary>
    private static ProtocolHarness Busy(int seed)
    {
        var h = new ProtocolHarness(nodes: 4, seed);
        for (int step = 0; step < 3000 || (step < 20_000 && h.Directories.All(d => d.HeldMessages == 0)); step++)
        {
            h.Step();
        }

        return h;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_busy_directory_saves_loads_and_saves_the_same_bytes_and_lines(int seed)
    {
        var h = Busy(seed);
        var layout = new MachineLayout(h.Params.Nodes, h.Params.Disks);
        foreach (var d in h.Directories)
        {
            var fresh = new CoherenceDirectory(h.Params, layout, d.Node);
            StateRoundTrip.AssertSameBytes(d, fresh);
            Assert.Empty(StateCoverage.Compare(d, fresh));
            Assert.All(h.Lines, line => Assert.Equal(d.View(new(line)), fresh.View(new(line))));
            Assert.Equal(d.DmaPages, fresh.DmaPages);
            Assert.Equal(d.QueuedRequests, fresh.QueuedRequests);
            Assert.Equal(d.HeldMessages, fresh.HeldMessages);
            Assert.Equal(d.MemoryRequestsOutstanding, fresh.MemoryRequestsOutstanding);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(9)]
    public void A_busy_memory_controller_saves_loads_and_saves_the_same_bytes(int seed)
    {
        var h = Busy(seed);
        var layout = new MachineLayout(h.Params.Nodes, h.Params.Disks);
        Assert.Contains(h.Directories, d => d.HeldMessages > 0);
        for (int n = 0; n < h.Memories.Length; n++)
        {
            var m = h.Memories[n];
            var fresh = new MemoryController(h.Params, layout.Directory(n));
            StateRoundTrip.AssertSameBytes(m, fresh);
            Assert.Empty(StateCoverage.Compare(m, fresh));
            Assert.Equal(m.Reads, fresh.Reads);
            Assert.Equal(m.QueuePs, fresh.QueuePs);
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public void A_cache_controller_and_its_caches_save_load_and_save_the_same_bytes(int seed)
    {
        var h = Busy(seed);
        var layout = new MachineLayout(h.Params.Nodes, h.Params.Disks);
        foreach (var c in h.Controllers)
        {
            var fresh = new CacheController(new CacheHierarchy(h.Params.L1, h.Params.L2), c.Node, layout, HomeMap.Of(h.Params));
            StateRoundTrip.AssertSameBytes(c, fresh);
            Assert.Empty(StateCoverage.Compare(c, fresh));
            Assert.Equal(c.Writebacks, fresh.Writebacks);
            Assert.Equal(c.Caches.L1DMisses, fresh.Caches.L1DMisses);
            Assert.All(h.Lines, line => Assert.Equal(c.Caches.StateOf(line), fresh.Caches.StateOf(line)));
        }
    }

    [Fact]
    public void A_directory_refuses_an_image_cut_short()
    {
        var h = Busy(6);
        var d = h.Directories[0];
        byte[] bytes = StateRoundTrip.Save(d);
        var fresh = new CoherenceDirectory(h.Params, new MachineLayout(h.Params.Nodes, h.Params.Disks), d.Node);
        Assert.Throws<CorruptStateException>(() => StateRoundTrip.Load(fresh, bytes[..(bytes.Length / 2)]));
    }

    [Fact]
    public void A_directory_refuses_a_line_of_another_node()
    {
        var h = Busy(7);
        var layout = new MachineLayout(h.Params.Nodes, h.Params.Disks);
        var d = h.Directories[1];
        Assert.True(d.Lines.Any(), "node 1 should record lines after the traffic");
        var other = new CoherenceDirectory(h.Params, layout, new NodeId(2));
        Assert.Throws<CorruptStateException>(() => StateRoundTrip.Load(other, StateRoundTrip.Save(d)));
    }
}
