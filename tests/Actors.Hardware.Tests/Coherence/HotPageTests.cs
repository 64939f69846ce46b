using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;
using CoherenceDirectory = Disco.Actors.Hardware.Coherence.Directory;

namespace Disco.Actors.Hardware.Tests.Coherence;

public class HotPageTests
{
    private sealed class Outbox : ICoherenceOutbox
    {
        public List<(ComponentId Target, long LeavePs, ISimMessage Message)> Sent { get; } = [];

        private int _answered;

        public void Send(ComponentId target, long leavePs, ISimMessage message) => Sent.Add((target, leavePs, message));

        /// <summary>The memory controller's part: answers every read sent so far (replies wait for them in the directory).</summary>
        public void AnswerMemory(CoherenceDirectory d, long nowPs)
        {
            for (; _answered < Sent.Count; _answered++)
            {
                if (Sent[_answered].Message is MemoryRead r)
                {
                    d.OnMemoryData(new MemoryData(r.Line, r.Sequence), nowPs, this);
                }
            }
        }
    }

    private static readonly MachineParams Params = new()
    {
        Nodes = 4,
        MemoryBytes = 4L * 64 * MachineConstants.PageSizeBytes,
        HotPageThreshold = 3,
        HotPageIntervalPs = 1_000_000_000, // 1 ms
    };

    private static (CoherenceDirectory Directory, Outbox Outbox) Home(HotPageTarget target, ComponentId? component = null)
    {
        var p = Params with { HotPageTarget = target };
        return (new CoherenceDirectory(p, new MachineLayout(p.Nodes, 0), new NodeId(0), component), new Outbox());
    }

    private static void Miss(CoherenceDirectory d, Outbox o, long line, int node, long nowPs)
    {
        d.OnRead(new ReadRequest(new LineAddress(line), new NodeId(node)), nowPs, o);
        o.AnswerMemory(d, nowPs + 1000);
    }

    private static HotPageInterrupt[] Interrupts(Outbox o) => [.. o.Sent.Select(s => s.Message).OfType<HotPageInterrupt>()];

    [Fact]
    public void A_page_becomes_hot_when_one_nodes_misses_reach_the_threshold()
    {
        var (d, o) = Home(HotPageTarget.Requester);
        // Node 2 misses on three lines of page 1; node 3 misses twice on it: only node 2 crosses 3.
        Miss(d, o, 32, 2, 10);
        Miss(d, o, 33, 3, 20);
        Miss(d, o, 34, 2, 30);
        Miss(d, o, 35, 3, 40);
        Assert.Empty(Interrupts(o));
        Miss(d, o, 36, 2, 50);
        var hot = Assert.Single(Interrupts(o));
        Assert.Equal((new MachinePage(1), new NodeId(2), 3, 0), (hot.Page, hot.Node, hot.Misses, hot.Writes));
        Assert.Equal([0, 0, 3, 2], hot.NodeMisses); // every node's misses in the interval
        Assert.Equal(new ComponentId(2), o.Sent.Single(s => s.Message is HotPageInterrupt).Target); // processor of node 2
        Assert.Equal(3, d.MissesOf(new MachinePage(1), new NodeId(2), 50));
        Assert.Equal(2, d.MissesOf(new MachinePage(1), new NodeId(3), 50));

        // Only the crossing interrupts: a fourth miss does not.
        Miss(d, o, 37, 2, 60);
        Assert.Single(Interrupts(o));
    }

    [Fact]
    public void Counters_restart_every_interval_without_any_timer()
    {
        var (d, o) = Home(HotPageTarget.Requester);
        Miss(d, o, 32, 1, 900_000_000);
        Miss(d, o, 33, 1, 990_000_000);
        Miss(d, o, 34, 1, 1_000_000_000); // the next interval: counting starts again
        Assert.Equal(1, d.MissesOf(new MachinePage(1), new NodeId(1), 1_000_000_000));
        Assert.Equal(0, d.MissesOf(new MachinePage(1), new NodeId(1), 2_500_000_000));
        Assert.Empty(Interrupts(o));
        Miss(d, o, 35, 1, 1_100_000_000);
        Miss(d, o, 36, 1, 1_200_000_000);
        Assert.Single(Interrupts(o));
    }

    [Fact]
    public void The_interrupt_goes_to_the_configured_target_with_the_pages_write_count()
    {
        var (home, o1) = Home(HotPageTarget.Home);
        home.OnReadExclusive(new ReadExclusiveRequest(new LineAddress(32), new NodeId(3)), 10, o1);
        o1.AnswerMemory(home, 20);
        Miss(home, o1, 33, 3, 20);
        Miss(home, o1, 34, 3, 30);
        Assert.Equal(new ComponentId(0), o1.Sent.Single(s => s.Message is HotPageInterrupt).Target);
        Assert.Equal(1, Interrupts(o1)[0].Writes);

        var manager = new ComponentId(42);
        var (d, o2) = Home(HotPageTarget.Component, manager);
        for (int i = 0; i < 3; i++)
        {
            Miss(d, o2, 32 + i, 1, 10 * i);
        }

        Assert.Equal(manager, o2.Sent.Single(s => s.Message is HotPageInterrupt).Target);

        var (off, o3) = Home(HotPageTarget.None);
        for (int i = 0; i < 5; i++)
        {
            Miss(off, o3, 32 + i, 1, 10 * i);
        }

        Assert.Empty(Interrupts(o3));
    }

    [Fact]
    public void The_homes_own_misses_raise_no_interrupt_unless_the_counters_are_set_to_count_every_node()
    {
        var (d, o) = Home(HotPageTarget.Requester);
        for (int i = 0; i < 5; i++)
        {
            Miss(d, o, 32 + i, 0, 10 * i); // node 0 is page 1's home
        }

        Assert.Empty(Interrupts(o));
        Assert.Equal(5, d.MissesOf(new MachinePage(1), new NodeId(0), 50)); // counted all the same

        var p = Params with { HotPageTarget = HotPageTarget.Requester, HotPageRemoteOnly = false };
        var every = new CoherenceDirectory(p, new MachineLayout(p.Nodes, 0), new NodeId(0));
        var o2 = new Outbox();
        for (int i = 0; i < 3; i++)
        {
            Miss(every, o2, 32 + i, 0, 10 * i);
        }

        Assert.Equal(new NodeId(0), Assert.Single(Interrupts(o2)).Node);
    }
}
