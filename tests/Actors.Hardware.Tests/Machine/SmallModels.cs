using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.BareOs;
using Disco.Actors.Monitor.Workloads;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Machine;

/// <summary>
/// Small but busy bare-machine models: every component kind and protocol path in well under a second. They run the
/// monitor project's bare OS stub and synthetic workloads, the cheapest driver that keeps every hardware part busy.
/// </summary>
internal static class SmallModels
{
    /// <summary>Multiprogrammed, with shared writes, disk reads, system calls, time slices and hot pages.</summary>
    public static SimulationModel Engineering(long seed = 7, SimTime? end = null, PagePlacement placement = PagePlacement.RoundRobin, bool uma = false)
    {
        var machine = new MachineParams { Nodes = 4, MemoryBytes = 32L << 20, Disks = 2, HotPageThreshold = 6, Uma = uma };
        var profile = new SyntheticProfile
        {
            Instructions = 30_000,
            CodeBytes = 64 << 10,
            WorkingSetBytes = 256 << 10,
            Sequential = 0.5,
            SharedBytes = 64 << 10,
            SharedShare = 0.2,
            SharedStoreFraction = 0.1,
            SyscallsPerMillion = 300,
            DiskReadsPerMillion = 100,
        };
        var os = new BareOsParams { TimeSlicePs = 20_000_000, Placement = placement };
        var plan = new WorkloadPlan("engineering", null, profile, Processes: 6, Programs: 2);
        return BareMachine.Build(machine, os, plan.CreateProcesses(machine.Nodes, seed), end ?? SimTime.Infinity, seed);
    }

    /// <summary>Parallel, a read-shared scene, a small L2.</summary>
    public static SimulationModel Raytrace(long seed = 3)
    {
        var machine = new MachineParams { Nodes = 8, MemoryBytes = 64L << 20, Disks = 0, L2 = new Hardware.Caches.CacheGeometry(64 << 10, 2, 128) };
        var profile = new SyntheticProfile
        {
            Instructions = 20_000,
            CodeBytes = 32 << 10,
            WorkingSetBytes = 128 << 10,
            SharedBytes = 512 << 10,
            SharedShare = 0.4,
            SharedStoreFraction = 0.01,
        };
        var plan = new WorkloadPlan("raytrace", null, profile, Processes: 8, Programs: 1);
        return BareMachine.Build(machine, new BareOsParams { Placement = PagePlacement.FirstTouch }, plan.CreateProcesses(machine.Nodes, seed), SimTime.Infinity, seed);
    }

    public static SimulationModel Trace(SimTime? end = null, string? path = null)
    {
        var machine = new MachineParams { Nodes = 1, MemoryBytes = 16L << 20, Disks = 0 };
        path ??= Path.Combine(Repo.Root, "scenarios", "traces", "ls-small.lackey");
        return BareMachine.Build(machine, new BareOsParams(), [new BareProcessSpec(0, new LackeyTraceSource(path), [])], end ?? SimTime.Infinity, seed: 1);
    }
}
