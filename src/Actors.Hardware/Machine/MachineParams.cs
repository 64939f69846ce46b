using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Interconnect;

namespace Disco.Actors.Hardware.Machine;

/// <summary>Who receives a directory's hot-page interrupt.</summary>
public enum HotPageTarget
{
    /// <summary>Counters are kept but no interrupt is raised.</summary>
    None,

    /// <summary>The processor of the node whose misses made the page hot (FLASH's MAGIC interrupts a processor).</summary>
    Requester,

    /// <summary>The processor of the page's home node.</summary>
    Home,

    /// <summary>A component the model builder names (the monitor's page manager).</summary>
    Component,
}

/// <summary>
/// The FLASH-like machine: every parameter of processors, caches, directories, memory, interconnect and disks, with
/// units in the names and all validation in <see cref="Problems"/>. Defaults follow [D 5.1] where it gives a value;
/// config/akka.hocon (section disco.machine) says for each which is the paper's and which is our choice.
/// </summary>
public sealed record MachineParams
{
    public int Nodes { get; init; } = 8;

    /// <summary>The UMA comparison machine: every memory access costs the local latency.</summary>
    public bool Uma { get; init; }

    public long MemoryBytes { get; init; } = 256L << 20;

    public long CycleTimePs { get; init; } = 2_500;

    /// <summary>Simulated time a processor runs through hits as one event; messages inside it act at its end.</summary>
    public long QuantumPs { get; init; } = 1_000_000;

    public int TlbEntries { get; init; } = 64;

    public CacheGeometry L1 { get; init; } = new(32 << 10, 2, 64);

    /// <summary>Extra time of an L1 hit beyond the instruction's cycle (0: pipelined into CPI 1).</summary>
    public long L1HitLatencyPs { get; init; }

    public CacheGeometry L2 { get; init; } = new(1 << 20, 2, 128);

    public long L2HitLatencyPs { get; init; } = 25_000;

    /// <summary>Processor to its node controller, one way.</summary>
    public long BusLatencyPs { get; init; } = 75_000;

    /// <summary>Time the node controller is busy with each message it handles.</summary>
    public long ControllerOccupancyPs { get; init; } = 25_000;

    /// <summary>Node controller (directory) to its memory controller, one way, and back the same.</summary>
    public long MemoryLinkLatencyPs { get; init; } = 25_000;

    /// <summary>DRAM access at the memory controller, from the start of the access to data ready.</summary>
    public long MemoryAccessLatencyPs { get; init; } = 75_000;

    /// <summary>Time memory is busy per line read or written (bounds its bandwidth; queueing comes from it).</summary>
    public long MemoryOccupancyPs { get; init; } = 50_000;

    public Topology Topology { get; init; } = Topology.Hypercube;

    public long NetworkBaseLatencyPs { get; init; } = 250_000;

    public long NetworkPerHopLatencyPs { get; init; } = 50_000;

    /// <summary>Misses from one node to one page in one interval that make the page hot (0: never).</summary>
    public int HotPageThreshold { get; init; } = 128;

    public long HotPageIntervalPs { get; init; } = 100_000_000_000;

    public HotPageTarget HotPageTarget { get; init; } = HotPageTarget.Requester;

    /// <summary>
    /// Only another node's misses make a page hot: a page missed mostly by its own node is where it should be, and an
    /// interrupt for it could only cost its processor time.
    /// </summary>
    public bool HotPageRemoteOnly { get; init; } = true;

    public int Disks { get; init; } = 1;

    /// <summary>Disk to its node controller, one way.</summary>
    public long IoBusLatencyPs { get; init; } = 100_000;

    public DiskParams Disk { get; init; } = new();

    public long PagesPerNode => MemoryBytes / MachineConstants.PageSizeBytes / Nodes;

    public long TotalPages => PagesPerNode * Nodes;

    public int LinesPerPage => MachineConstants.PageSizeBytes / L2.LineBytes;

    /// <summary>Uncontended memory read as the directory sees it: to the memory controller, the access, and back.</summary>
    public long MemoryLatencyPs => MemoryLinkLatencyPs + MemoryAccessLatencyPs + MemoryLinkLatencyPs;

    /// <summary>Uncontended L2 miss served by the requester's own memory: bus, controller, memory, bus.</summary>
    public long LocalMissLatencyPs => BusLatencyPs + ControllerOccupancyPs + MemoryLatencyPs + BusLatencyPs;

    /// <summary>Every problem with these values (empty when valid), each naming its key under disco.machine.</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (Nodes < 1 || Nodes > MachineConstants.MaxNodes)
        {
            yield return ("nodes", $"must be between 1 and {MachineConstants.MaxNodes} (one directory bit per node; got {Nodes})");
        }

        long perNode = Nodes > 0 ? MemoryBytes / Nodes : 0;
        if (MemoryBytes <= 0 || Nodes < 1 || perNode % MachineConstants.PageSizeBytes != 0 || perNode < 16 * MachineConstants.PageSizeBytes)
        {
            yield return ("memory-mb", $"must split into whole 4 KB pages, at least 16 per node (got {MemoryBytes >> 20} MB over {Nodes} nodes)");
        }

        foreach (var (key, value) in new (string, long)[]
        {
            ("processor.cycle-time", CycleTimePs), ("processor.quantum", QuantumPs), ("bus-latency", BusLatencyPs),
            ("controller.occupancy", ControllerOccupancyPs), ("memory.link-latency", MemoryLinkLatencyPs),
            ("memory.access-latency", MemoryAccessLatencyPs), ("disk.io-bus-latency", IoBusLatencyPs),
            ("hot-page.reset-interval", HotPageIntervalPs),
        })
        {
            if (value <= 0)
            {
                yield return (key, $"must be positive (got {value} ps)");
            }
        }

        foreach (var (key, value) in new (string, long)[]
        {
            ("l1.hit-latency", L1HitLatencyPs), ("l2.hit-latency", L2HitLatencyPs), ("memory.occupancy", MemoryOccupancyPs),
            ("interconnect.base-latency", NetworkBaseLatencyPs), ("interconnect.per-hop-latency", NetworkPerHopLatencyPs),
        })
        {
            if (value < 0)
            {
                yield return (key, $"must not be negative (got {value} ps)");
            }
        }

        if (TlbEntries is < 1 or > 1024)
        {
            yield return ("processor.tlb-entries", $"must be between 1 and 1024 (got {TlbEntries})");
        }

        foreach (var (field, problem) in L1.Problems())
        {
            yield return ("l1." + field, problem);
        }

        foreach (var (field, problem) in L2.Problems())
        {
            yield return ("l2." + field, problem);
        }

        if (L1.LineBytes > L2.LineBytes)
        {
            yield return ("l1.line-bytes", $"must not exceed the L2 line ({L2.LineBytes} B): the L2 includes the L1s");
        }

        if (L2.LineBytes > MachineConstants.PageSizeBytes)
        {
            yield return ("l2.line-bytes", "must not exceed the 4 KB page");
        }

        if (HotPageThreshold < 0)
        {
            yield return ("hot-page.threshold", $"must not be negative (0 turns hot-page interrupts off; got {HotPageThreshold})");
        }

        if (Disks < 0 || Disks > 256)
        {
            yield return ("disk.count", $"must be between 0 and 256 (got {Disks})");
        }

        foreach (var (field, problem) in Disk.Problems())
        {
            yield return ("disk." + field, problem);
        }
    }
}
