using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Tests;

/// <summary>Small guest configurations that run in well under a second, bare and under the monitor.</summary>
internal static class GuestRuns
{
    public static MachineParams Machine(int nodes = 1) => new() { Nodes = nodes, MemoryBytes = nodes * (64L << 20), Disks = 1, HotPageThreshold = 0 };

    /// <summary>
    /// A 16 MB guest with the kernel paths as they were before the calibration on IRIX's figures (issue 15): short
    /// paths keep these mechanism tests fast and their nested TLB misses rare, so a trap counted per call stays a
    /// whole number; the golden runs and the experiments run the calibrated paths of config/akka.hocon.
    /// </summary>
    public static readonly GuestParams Guest = new()
    {
        MemoryBytes = 16L << 20,
        Paths =
        [
            new(60, 4), new(40, 4), new(10, 0), new(60, 2), new(600, 8), new(500, 8), new(3000, 24), new(800, 8), new(900, 8),
            new(8000, 48), new(5000, 40), new(4000, 24), new(200, 4), new(400, 6), new(500, 8), new(1500, 16), new(500, 8), new(10, 0),
            new(1300, 10),
        ],
    };

    public static readonly MonitorParams Monitor = new() { CheckInvariants = true };

    /// <summary>A pmake-like workload: short jobs, two at once, faults, path lookups, file reads and writes, a cold cache.</summary>
    public static GuestWorkload Pmake(int jobs = 4, long instructions = 100_000, bool warm = false) => new()
    {
        Kind = "pmake",
        Profile = new SyntheticProfile { Instructions = instructions, CodeBytes = 64 << 10, WorkingSetBytes = 256 << 10 },
        Jobs = jobs,
        Parallelism = 2,
        Programs = 2,
        FilesPerJob = 3,
        DistinctFiles = 4,
        FileKb = 8,
        CallKb = 4,
        WriteKb = 8,
        LookupsPerOpen = 1,
        OtherSyscallsPerMillion = 100,
        WarmCache = warm,
    };

    public static SimulationModel Build(GuestWorkload workload, bool underMonitor, long seed = 1, MonitorParams? monitor = null, MachineParams? machine = null, GuestParams? guest = null) =>
        GuestMachine.Build(machine ?? Machine(), guest ?? Guest, workload, monitor ?? Monitor, underMonitor, SimTime.Infinity, seed);

    public static (RunResult Result, SimulationModel Model) Run(GuestWorkload workload, bool underMonitor, long seed = 1, MonitorParams? monitor = null, MachineParams? machine = null)
    {
        var model = Build(workload, underMonitor, seed, monitor, machine);
        return (SequentialKernel.Run(model), model);
    }

    public static GuestKernel Kernel(SimulationModel model, int vm = 0) =>
        GuestMachine.Supervisors(model).OfType<NativeSupervisor>().Select(n => n.Kernel)
            .Concat(GuestMachine.Vcpus(model).Where(v => v.Vm == vm).Select(v => v.Kernel))
            .First();

    public static long TimePs(RunResult r, ExecutionMode mode) => r.Counter("cpu_time_ps." + mode.ToString().ToLowerInvariant());
}
