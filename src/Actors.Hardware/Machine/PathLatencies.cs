using Disco.Actors.Hardware.Interconnect;

namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// The one-way latency of every path between the machine's parts (bus, I/O bus, network), in one place: the links
/// (which bound the lookahead) and the components' own latency tables are both built from it. A node controller's
/// occupancy is not in its paths: it is in the moment a message leaves.
/// </summary>
public sealed class PathLatencies
{
    private readonly MachineParams _p;
    private readonly MachineLayout _layout;
    private readonly Network _network;

    public PathLatencies(MachineParams parameters, MachineLayout layout, Network network)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(network);
        _p = parameters;
        _layout = layout;
        _network = network;
    }

    /// <summary>
    /// Every request a node controller sends its memory controller leaves after the controller's occupancy: part of
    /// that link's minimum. (Its replies to processors and disks may leave the moment memory's answer arrives.)
    /// </summary>
    public long DirectoryOccupancyPs => _p.ControllerOccupancyPs;

    /// <summary>Node controller to its memory controller and back, one way.</summary>
    public long MemoryLinkPs => _p.MemoryLinkLatencyPs;

    /// <summary>Every answer of a memory controller leaves at least the access latency after its request came: the link back's minimum.</summary>
    public long MemoryAnswerPs => _p.MemoryAccessLatencyPs + _p.MemoryLinkLatencyPs;

    public long ProcessorToDirectoryPs(int node, int home) => _p.BusLatencyPs + _network.LatencyPs(node, home);

    public long DirectoryToProcessorPs(int home, int node) => _p.BusLatencyPs + _network.LatencyPs(home, node);

    /// <summary>Programming a disk's controller.</summary>
    public long ProcessorToDiskPs(int node, int disk) => _p.BusLatencyPs + _network.LatencyPs(node, _layout.NodeOfDisk(disk)) + _p.IoBusLatencyPs;

    /// <summary>A disk's completion interrupt.</summary>
    public long DiskToProcessorPs(int disk, int node) => _p.IoBusLatencyPs + _network.LatencyPs(_layout.NodeOfDisk(disk), node) + _p.BusLatencyPs;

    /// <summary>A page of DMA to its home.</summary>
    public long DiskToDirectoryPs(int disk, int home) => _p.IoBusLatencyPs + _network.LatencyPs(_layout.NodeOfDisk(disk), home);

    public long DirectoryToDiskPs(int home, int disk) => _p.IoBusLatencyPs + _network.LatencyPs(home, _layout.NodeOfDisk(disk));

    /// <summary>From a processor to every home, by home node.</summary>
    public long[] FromProcessorToDirectories(int node) => [.. Enumerable.Range(0, _layout.Nodes).Select(h => ProcessorToDirectoryPs(node, h))];

    /// <summary>From a disk to every home, by home node.</summary>
    public long[] FromDiskToDirectories(int disk) => [.. Enumerable.Range(0, _layout.Nodes).Select(h => DiskToDirectoryPs(disk, h))];

    /// <summary>From a node controller to every processor, disk and its own memory controller, by component id (-1 for the rest).</summary>
    public long[] FromDirectory(int home)
    {
        long[] path = new long[_layout.HardwareComponents];
        Array.Fill(path, -1L);
        for (int n = 0; n < _layout.Nodes; n++)
        {
            path[_layout.Processor(n).Value] = DirectoryToProcessorPs(home, n);
        }

        for (int k = 0; k < _layout.Disks; k++)
        {
            path[_layout.Disk(k).Value] = DirectoryToDiskPs(home, k);
        }

        path[_layout.MemoryController(home).Value] = MemoryLinkPs;

        return path;
    }
}
