using Disco.Actors.Engine.Kernel;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;

namespace Disco.Actors.Hardware.Tests.Processor;

public class MemoryLatencyTests
{
    private const int StallBucket = (int)CpuTimeBucket.Stall;

    private static long Stall(ProcessorComponent p) => p.TimePs[StallBucket];

    private static long StallOfOneLoad(MachineParams p, int fromNode, int homeNode)
    {
        var load = Operation.Load(TestMachine.AddressOn(p, homeNode), 8);
        var streams = new Operation[p.Nodes][];
        for (int n = 0; n < p.Nodes; n++)
        {
            streams[n] = n == fromNode ? [load] : [];
        }

        var (model, processors, _) = TestMachine.Build(p, streams);
        SequentialKernel.Run(model);
        return Stall(processors[fromNode]);
    }

    [Fact]
    public void An_uncontended_local_miss_takes_300ns()
    {
        var p = TestMachine.Small();
        Assert.Equal(300_000, p.LocalMissLatencyPs);
        Assert.Equal(300_000, StallOfOneLoad(p, 0, 0));
    }

    [Fact]
    public void An_uncontended_remote_miss_to_a_neighbour_takes_900ns()
    {
        Assert.Equal(900_000, StallOfOneLoad(TestMachine.Small(), 0, 1));
    }

    [Fact]
    public void A_remote_miss_two_hops_away_adds_the_per_hop_latency_both_ways()
    {
        var p = TestMachine.Small(4);
        Assert.Equal(900_000 + (2 * p.NetworkPerHopLatencyPs), StallOfOneLoad(p, 0, 3)); // 0 and 3 differ in two bits
    }

    [Fact]
    public void The_latencies_follow_the_configuration()
    {
        var p = TestMachine.Small() with { BusLatencyPs = 100_000, MemoryAccessLatencyPs = 150_000, NetworkBaseLatencyPs = 400_000, NetworkPerHopLatencyPs = 0 };
        Assert.Equal(100_000 + 25_000 + 200_000 + 100_000, StallOfOneLoad(p, 1, 1));
        Assert.Equal(100_000 + 25_000 + 200_000 + 100_000 + (2 * 400_000), StallOfOneLoad(p, 1, 0));
    }

    [Fact]
    public void On_the_UMA_machine_every_miss_takes_300ns()
    {
        var p = TestMachine.Small(4) with { Uma = true };
        Assert.Equal(300_000, StallOfOneLoad(p, 0, 3));
        Assert.Equal(300_000, StallOfOneLoad(p, 2, 2));
    }

    [Fact]
    public void An_L2_hit_takes_the_L2_hit_time_and_an_L1_hit_the_L1_hit_time()
    {
        // 64 B L1 lines in a 128 B L2 line: the second half of the line misses the L1 and hits the L2.
        var p = TestMachine.Small() with { L1HitLatencyPs = 1_000 };
        long a = TestMachine.AddressOn(p, 0);
        var (model, processors, _) = TestMachine.Build(p, [Operation.Load(a, 8), Operation.Load(a + 64, 8), Operation.Load(a + 72, 8)]);
        SequentialKernel.Run(model);
        var cpu = processors[0];
        Assert.Equal(300_000 + p.L2HitLatencyPs, Stall(cpu));
        // The miss's own completion and the last load hit the L1; nothing else ran.
        Assert.Equal(2 * p.L1HitLatencyPs, cpu.TimePs[(int)ExecutionMode.User]);
    }

    [Fact]
    public void Instructions_take_one_cycle_each()
    {
        var p = TestMachine.Small();
        var (model, processors, _) = TestMachine.Build(p, [Operation.Compute(1000)]);
        SequentialKernel.Run(model);
        Assert.Equal(1000 * p.CycleTimePs, processors[0].TimePs[(int)ExecutionMode.User]);
        Assert.Equal(1000, processors[0].Instructions);
    }

    [Fact]
    public void Contention_at_the_home_adds_queueing_delay()
    {
        // Four processors miss to node 0 at the same moment: the controller and the memory serve them in turn.
        var p = TestMachine.Small(4) with { NetworkPerHopLatencyPs = 0 };
        var streams = new Operation[4][];
        for (int n = 0; n < 4; n++)
        {
            streams[n] = [Operation.Load(TestMachine.AddressOn(p, 0, n), 8)];
        }

        var (model, processors, _) = TestMachine.Build(p, streams);
        SequentialKernel.Run(model);
        long[] stalls = [.. processors.Select(Stall)];
        Assert.True(stalls[0] == 300_000, string.Join(", ", stalls)); // the local request arrives first and waits for nobody
        // The three remote requests arrive together (every remote node one base latency away: 800ns uncontended).
        // The controller takes them 25ns apart, but memory is the bottleneck: each waits for the 50ns occupancy
        // of those before it.
        long remote = p.LocalMissLatencyPs + (2 * p.NetworkBaseLatencyPs);
        Assert.Equal(800_000, remote);
        Assert.Equal([remote, remote + p.MemoryOccupancyPs, remote + (2 * p.MemoryOccupancyPs)], stalls.Skip(1).Order().ToArray());
    }

    [Fact]
    public void Two_misses_to_one_node_at_once_queue_at_its_memory_controller()
    {
        // Nodes 0 and 1 each miss to a line homed on node 1 (the network made free, so both reach the home together).
        var p = TestMachine.Small() with { NetworkBaseLatencyPs = 0, NetworkPerHopLatencyPs = 0 };
        var (model, processors, _) = TestMachine.Build(p, [Operation.Load(TestMachine.AddressOn(p, 1, 0), 8)], [Operation.Load(TestMachine.AddressOn(p, 1, 1), 8)]);
        SequentialKernel.Run(model);
        var memories = model.Components.OfType<MemoryControllerComponent>().ToArray();
        Assert.Equal(2, memories.Length);
        var home = memories[1].Controller;
        Assert.Equal(0, memories[0].Controller.Reads);
        Assert.Equal(2, home.Reads);

        // The directory takes them 25 ns apart; the second read reaches the memory 25 ns into the first's 50 ns.
        long wait = p.MemoryOccupancyPs - p.ControllerOccupancyPs;
        Assert.Equal(1, home.Queued);
        Assert.Equal(wait, home.QueuePs);
        Assert.Equal(2 * p.MemoryOccupancyPs, home.BusyPs);
        long[] stalls = [.. processors.Select(Stall).Order()];
        Assert.Equal([300_000, 300_000 + p.ControllerOccupancyPs + wait], stalls);
    }

    [Fact]
    public void The_uncontended_split_is_occupancy_link_access_link()
    {
        // Move time between the link and the DRAM access: the same total gives the same miss; a longer link costs twice.
        var p = TestMachine.Small() with { MemoryLinkLatencyPs = 5_000, MemoryAccessLatencyPs = 115_000 };
        Assert.Equal(300_000, StallOfOneLoad(p, 0, 0));
        var slower = p with { MemoryLinkLatencyPs = 10_000 };
        Assert.Equal(310_000, StallOfOneLoad(slower, 0, 0));
        Assert.Equal(910_000, StallOfOneLoad(slower, 0, 1));
    }

    [Fact]
    public void Every_picosecond_is_accounted_to_exactly_one_bucket()
    {
        var p = TestMachine.Small();
        var ops = Enumerable.Range(0, 500).SelectMany(i => new[] { Operation.Fetch(0x1000 + (i * 4L)), Operation.Load(TestMachine.AddressOn(p, i % 2, i % 7, i * 8L % 4096), 8), Operation.Compute(3) }).ToArray();
        var (model, processors, _) = TestMachine.Build(p, ops, ops);
        SequentialKernel.Run(model);
        Assert.All(processors, cpu => Assert.Equal(cpu.LocalPs, cpu.TimePs.Sum()));
    }
}
