using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.BareOs;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests.BareOs;

public class BareOsTests
{
    private static readonly BareOsParams Os = new();

    private static MachineParams Machine(int nodes = 2, int disks = 0) => new() { Nodes = nodes, MemoryBytes = nodes * 256L * MachineConstants.PageSizeBytes, Disks = disks, HotPageThreshold = 0 };

    private static (RunResult Result, ProcessorComponent[] Processors) Run(MachineParams machine, BareOsParams os, params BareProcessSpec[] processes)
    {
        var model = BareMachine.Build(machine, os, processes, SimTime.Infinity, seed: 1);
        var result = SequentialKernel.Run(model);
        return (result, [.. model.Components.OfType<ProcessorComponent>()]);
    }

    private static long Kernel(ProcessorComponent p) => p.TimePs[(int)ExecutionMode.Kernel];

    [Fact]
    public void A_first_touch_costs_a_page_fault_then_a_refill_and_a_shared_page_found_in_place_costs_less()
    {
        var shared = new SharedRegion(0x4000_0000, 1 << 20, 7);
        var (result, cpus) = Run(
            Machine(),
            Os,
            new BareProcessSpec(0, new ScriptedSource(Operation.Load(0x4000_0000, 8)), [shared]),
            new BareProcessSpec(1, new ScriptedSource(Operation.Idle(50_000_000), Operation.Load(0x4000_0008, 8)), [shared]));
        // Process 0 faults the page in (zeroing it); process 1 later finds it and only maps it. Both then refill
        // the TLB; each was dispatched once at the start and exits with a system call.
        long dispatchAndExit = Os.ContextSwitchPs + Os.SyscallPs;
        Assert.Equal(Os.PageFaultPs + Os.TlbRefillPs + dispatchAndExit, Kernel(cpus[0]));
        Assert.Equal(Os.SharedPageFaultPs + Os.TlbRefillPs + dispatchAndExit, Kernel(cpus[1]));
        Assert.Equal(2, result.Counter("page_faults"));
        Assert.Equal(1, result.Counter("memory_pages.machine"));
        Assert.Equal(1, result.Counter("bare.allocator.shared_hits"));
    }

    [Theory]
    [InlineData(PagePlacement.RoundRobin, 4, 4)]
    [InlineData(PagePlacement.FirstTouch, 8, 0)]
    public void Placement_decides_which_node_holds_a_processs_pages(PagePlacement placement, long local, long remote)
    {
        // Eight private pages touched by a process on node 1 of two.
        var ops = Enumerable.Range(0, 8).Select(i => Operation.Load(0x1000_0000 + (i * 4096L), 8)).ToArray();
        var (result, _) = Run(Machine(), Os with { Placement = placement }, new BareProcessSpec(1, new ScriptedSource(ops), []));
        Assert.Equal(local, result.Counter("cache_misses.local"));
        Assert.Equal(remote, result.Counter("cache_misses.remote"));
    }

    [Fact]
    public void Processes_on_one_processor_take_turns_by_time_slice()
    {
        var os = Os with { TimeSlicePs = 10_000_000 }; // 10us
        var (result, cpus) = Run(
            Machine(1),
            os,
            new BareProcessSpec(0, new ScriptedSource(Operation.Compute(40_000)), []),  // 100us each
            new BareProcessSpec(0, new ScriptedSource(Operation.Compute(40_000)), []));
        Assert.InRange(result.Counter("bare.context_switches"), 19, 22);
        Assert.Equal(80_000, cpus[0].Instructions);
        Assert.Equal(cpus[0].LocalPs, cpus[0].TimePs.Sum());
    }

    [Fact]
    public void A_file_read_blocks_its_process_the_processor_idles_and_the_completion_interrupt_resumes_it()
    {
        var (result, cpus) = Run(
            Machine(2, disks: 1),
            Os,
            new BareProcessSpec(0, new ScriptedSource(Operation.Compute(100), Operation.DiskRead(0x3000_0000, 2), Operation.Compute(100)), []));
        Assert.Equal(1, result.Counter("disk_requests.issued"));
        Assert.Equal(1, result.Counter("bare.interrupts"));
        Assert.Equal(2, result.Counter("hw.dir.dma_pages"));
        Assert.Equal(200, cpus[0].Instructions);
        long idle = cpus[0].TimePs[(int)CpuTimeBucket.Idle];
        Assert.True(idle > 1_000_000_000, $"the processor idles through the disk's service (idle {idle} ps)");
        Assert.Equal(cpus[0].LocalPs, cpus[0].TimePs.Sum());
    }

    [Fact]
    public void A_file_read_lets_another_process_run_meanwhile()
    {
        var (result, cpus) = Run(
            Machine(1, disks: 1),
            Os,
            new BareProcessSpec(0, new ScriptedSource(Operation.DiskRead(0x3000_0000, 1)), []),
            new BareProcessSpec(0, new ScriptedSource(Operation.Compute(8_000_000)), [])); // 20ms of work, longer than the read
        Assert.Equal(8_000_000, cpus[0].Instructions);
        Assert.Equal(0, cpus[0].TimePs[(int)CpuTimeBucket.Idle]); // never idle: the other process hides the disk
        Assert.Equal(1, result.Counter("disk_requests.issued"));
        Assert.Equal(1, result.Counter("bare.interrupts"));
    }
}
