using Disco.Actors.Engine.Configuration;
using Disco.Actors.Hardware.Bare;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Interconnect;
using Disco.Actors.Hardware.Workloads;

namespace Disco.Actors.Hardware.Machine;

/// <summary>Reads disco.machine and disco.workload into parameter records; every impossible value names its key.</summary>
public static class MachineConfig
{
    public const string MachineRoot = "disco.machine.";
    public const string WorkloadRoot = "disco.workload.";

    public static MachineParams ReadMachine(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string m = MachineRoot;
        var p = new MachineParams
        {
            Nodes = config.GetInt(m + "nodes", 1, MachineConstants.MaxNodes),
            Uma = config.GetBool(m + "uma"),
            MemoryBytes = config.GetLong(m + "memory-mb", 1, 1L << 24) << 20,
            CycleTimePs = config.GetSimTime(m + "processor.cycle-time").Ps,
            QuantumPs = config.GetSimTime(m + "processor.quantum").Ps,
            TlbEntries = config.GetInt(m + "processor.tlb-entries"),
            L1 = Geometry(config, m + "l1."),
            L1HitLatencyPs = config.GetSimTime(m + "l1.hit-latency").Ps,
            L2 = Geometry(config, m + "l2."),
            L2HitLatencyPs = config.GetSimTime(m + "l2.hit-latency").Ps,
            BusLatencyPs = config.GetSimTime(m + "bus-latency").Ps,
            ControllerOccupancyPs = config.GetSimTime(m + "controller.occupancy").Ps,
            MemoryLatencyPs = config.GetSimTime(m + "memory.latency").Ps,
            MemoryOccupancyPs = config.GetSimTime(m + "memory.occupancy").Ps,
            Topology = config.GetOneOf(m + "interconnect.topology", "hypercube", "mesh", "crossbar") switch
            {
                "mesh" => Topology.Mesh,
                "crossbar" => Topology.Crossbar,
                _ => Topology.Hypercube,
            },
            NetworkBaseLatencyPs = config.GetSimTime(m + "interconnect.base-latency").Ps,
            NetworkPerHopLatencyPs = config.GetSimTime(m + "interconnect.per-hop-latency").Ps,
            HotPageThreshold = config.GetInt(m + "hot-page.threshold"),
            HotPageIntervalPs = config.GetSimTime(m + "hot-page.reset-interval").Ps,
            HotPageTarget = config.GetOneOf(m + "hot-page.target", "none", "requester", "home") switch
            {
                "none" => HotPageTarget.None,
                "home" => HotPageTarget.Home,
                _ => HotPageTarget.Requester,
            },
            Disks = config.GetInt(m + "disk.count"),
            IoBusLatencyPs = config.GetSimTime(m + "disk.io-bus-latency").Ps,
            Disk = new DiskParams
            {
                Cylinders = config.GetInt(m + "disk.cylinders"),
                Heads = config.GetInt(m + "disk.heads"),
                SectorsPerTrack = config.GetInt(m + "disk.sectors-per-track"),
                Rpm = config.GetInt(m + "disk.rpm"),
                TransferMbPerS = config.GetDouble(m + "disk.transfer-mb-per-s"),
                ControllerOverheadPs = config.GetSimTime(m + "disk.controller-overhead").Ps,
                SeekShortBaseMs = config.GetDouble(m + "disk.seek.short-base-ms"),
                SeekShortPerSqrtCylinderMs = config.GetDouble(m + "disk.seek.short-per-sqrt-cylinder-ms"),
                SeekLongBaseMs = config.GetDouble(m + "disk.seek.long-base-ms"),
                SeekLongPerCylinderMs = config.GetDouble(m + "disk.seek.long-per-cylinder-ms"),
                SeekBoundaryCylinders = config.GetInt(m + "disk.seek.boundary-cylinders"),
            },
        };
        foreach (var (key, problem) in p.Problems())
        {
            throw config.Error(m + key, problem);
        }

        return p;
    }

    public static BareOsParams ReadBareOs(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string b = WorkloadRoot + "bare.";
        var os = new BareOsParams
        {
            Placement = config.GetOneOf(b + "placement", "round-robin", "first-touch") == "first-touch" ? PagePlacement.FirstTouch : PagePlacement.RoundRobin,
            TlbRefillPs = config.GetSimTime(b + "tlb-refill").Ps,
            PageFaultPs = config.GetSimTime(b + "page-fault").Ps,
            SharedPageFaultPs = config.GetSimTime(b + "shared-page-fault").Ps,
            SyscallPs = config.GetSimTime(b + "syscall").Ps,
            ContextSwitchPs = config.GetSimTime(b + "context-switch").Ps,
            InterruptPs = config.GetSimTime(b + "interrupt").Ps,
            TimeSlicePs = config.GetSimTime(b + "time-slice").Ps,
        };
        foreach (var (key, problem) in os.Problems())
        {
            throw config.Error(b + key, problem);
        }

        return os;
    }

    public static WorkloadPlan ReadWorkload(SimConfig config, MachineParams machine)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(machine);
        string kind = config.GetOneOf(WorkloadRoot + "kind", "trace", "engineering", "raytrace");
        if (kind == "trace")
        {
            string path = config.GetString(WorkloadRoot + "trace");
            if (path.Length == 0)
            {
                throw config.Error(WorkloadRoot + "trace", "names no trace file (workload.kind = trace needs one)");
            }

            if (!System.IO.File.Exists(path))
            {
                throw config.Error(WorkloadRoot + "trace", $"trace file '{path}' not found (paths are relative to the current directory)");
            }

            return new WorkloadPlan(kind, path, null, 1, 1);
        }

        string at = WorkloadRoot + kind + ".";
        var profile = new SyntheticProfile
        {
            Instructions = config.GetLong(at + "instructions"),
            CodeBytes = config.GetLong(at + "code-kb", 0, 1L << 26) << 10,
            BlockInstructions = config.GetDouble(at + "block-instructions"),
            CodeLocality = config.GetDouble(at + "code-locality"),
            MemoryOpsPerInstruction = config.GetDouble(at + "memory-ops-per-instruction"),
            StoreFraction = config.GetDouble(at + "store-fraction"),
            WorkingSetBytes = config.GetLong(at + "working-set-kb", 0, 1L << 26) << 10,
            Sequential = config.GetDouble(at + "sequential"),
            HotFraction = config.GetDouble(at + "hot-fraction"),
            HotShare = config.GetDouble(at + "hot-share"),
            SharedBytes = config.GetLong(at + "shared-kb", 0, 1L << 26) << 10,
            SharedShare = config.GetDouble(at + "shared-share"),
            SharedStoreFraction = config.GetDouble(at + "shared-store-fraction"),
            SharedSequential = config.GetDouble(at + "shared-sequential"),
            SyscallsPerMillion = config.GetDouble(at + "syscalls-per-million"),
            DiskReadsPerMillion = config.GetDouble(at + "disk-reads-per-million"),
            DiskReadPages = config.GetInt(at + "disk-read-pages"),
        };
        foreach (var (key, problem) in profile.Problems())
        {
            throw config.Error(at + key, problem);
        }

        int processes = config.GetInt(at + "processes", 1, machine.Nodes * (Tlb.TlbEntry.MaxAsid + 1));
        int programs = config.GetInt(at + "programs", 1, processes);
        return new WorkloadPlan(kind, null, profile, processes, programs);
    }

    private static CacheGeometry Geometry(SimConfig config, string at) =>
        new(config.GetLong(at + "size-kb", 1, 1L << 20) << 10, config.GetInt(at + "associativity"), config.GetInt(at + "line-bytes"));
}
