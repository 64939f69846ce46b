using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.BareOs;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Workloads;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Every component of every model declares every field that changes: stopped part way (processes running, disk reads,
/// lock waits and NFS requests in flight), saved and loaded into a fresh model, each equals the original field by field
/// (<see cref="StateCoverage"/> names any field a declaration left out).
/// </summary>
public class StateDeclarationTests
{
    private static SimTime Us(long us) => new(us * 1_000_000);

    private static SimulationModel Guest(bool underMonitor, long endUs, MachineParams? machine = null, GuestParams? guest = null, MonitorParams? monitor = null, GuestWorkload? workload = null) =>
        GuestMachine.Build(machine ?? GuestRuns.Machine(), guest ?? GuestRuns.Guest, workload ?? GuestRuns.Pmake(jobs: 6), monitor ?? GuestRuns.Monitor, underMonitor, Us(endUs), 3);

    public static TheoryData<string> Models() => [.. Builders.Keys];

    private static readonly Dictionary<string, Func<SimulationModel>> Builders = new()
    {
        ["bare guest"] = () => Guest(false, 2_000),
        ["one VM"] = () => Guest(true, 2_000),
        ["two VMs on two nodes"] = () => Guest(true, 3_000, GuestRuns.Machine(2), monitor: GuestRuns.Monitor with { Vms = 2 }),
        ["bare SMP guest, memlock"] = () => Guest(false, 3_000, GuestRuns.Machine(2) with { Disks = 2 }, GuestRuns.Guest with { Processors = 2, MemoryBytes = 64L << 20 }),
        ["three VMs on two processors: VCPUs parked, loaded and handed over"] = () => Guest(true, 3_000, GuestRuns.Machine(2), monitor: GuestRuns.Monitor with { Vms = 3, VcpuTimeSlicePs = 200_000_000 }),
        ["a VCPU moving to another processor"] = () => GuestMachine.Build(GuestRuns.Machine(2), GuestRuns.Guest, GuestRuns.Pmake(jobs: 6), GuestRuns.Monitor with { Vms = 3, VcpuTimeSlicePs = 200_000_000 }, true, Us(2_500), 3, [new Vms.VcpuMovePlan(2_490_000_000, 2, 1), new Vms.VcpuMovePlan(2_000_000_000, 1, 0)]),
        ["pages migrating between nodes"] = () => NumaMigrationTests.Build(numa: true, end: Us(1_900)),
        ["pages replicated between nodes"] = () => NumaReplicationTests.Build(instructions: 300_000, end: Us(12_000)),
        ["SMP VM of two VCPUs"] = () => Guest(true, 3_000, GuestRuns.Machine(2) with { Disks = 2 }, monitor: GuestRuns.Monitor with { Vms = 1, VcpusPerVm = 2 }),
        ["NFS server and clients"] = () => Guest(true, 3_000, GuestRuns.Machine(2) with { Disks = 3 }, monitor: GuestRuns.Monitor with { Vms = 3, Nfs = true, NfsServerMemoryBytes = 24L << 20 }, workload: GuestRuns.Pmake(jobs: 2, warm: true)),
        ["bare SMP guest, processes moving through the shared run queue"] = () => RunQueueTests.Build(shared: true, end: Us(1_500)),
        ["radix on IRIX, region semaphore"] = () => Guest(false, 400, GuestRuns.Machine(4), GuestRuns.Guest with { Processors = 4 }, workload: RadixTests.Radix),
        ["radix on the library OS"] = () => Guest(true, 400, GuestRuns.Machine(4), GuestRuns.Guest with { LibraryOs = true }, GuestRuns.Monitor with { Vms = 1, VcpusPerVm = 4 }, RadixTests.Radix),
        ["the OS stub"] = () => BareMachine.Build(
            new MachineParams { Nodes = 2, MemoryBytes = 2 * 256L * MachineConstants.PageSizeBytes, Disks = 1, HotPageThreshold = 4 },
            new BareOsParams(),
            [.. Enumerable.Range(0, 3).Select(p => new BareProcessSpec(p % 2, new SyntheticSource(new SyntheticProfile { Instructions = 200_000, WorkingSetBytes = 64 << 10 }, 5, p), []))],
            Us(300),
            5),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void A_model_stopped_part_way_loads_back_equal_field_by_field(string model)
    {
        var differences = StateCoverage.Differences(Builders[model]);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }
}
