using Disco.Actors.Engine.Configuration;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Interconnect;

namespace Disco.Actors.Hardware.Machine;

/// <summary>Reads disco.machine into parameter records; every impossible value names its key.</summary>
public static class MachineConfig
{
    public const string MachineRoot = "disco.machine.";

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
            MemoryLinkLatencyPs = config.GetSimTime(m + "memory.link-latency").Ps,
            MemoryAccessLatencyPs = config.GetSimTime(m + "memory.access-latency").Ps,
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
            HotPageRemoteOnly = config.GetBool(m + "hot-page.remote-only"),
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

    private static CacheGeometry Geometry(SimConfig config, string at) =>
        new(config.GetLong(at + "size-kb", 1, 1L << 20) << 10, config.GetInt(at + "associativity"), config.GetInt(at + "line-bytes"));
}
