using Disco.Actors.Engine.Components;

namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// Which component id each part of the machine has: processors 0..N-1 (processor i on node i), directories N..2N-1,
/// memory controllers 2N..3N-1, disks from 3N (disk k on node k mod N), then whatever the model builder adds (the
/// bare OS, the monitor) from <see cref="HardwareComponents"/> on.
/// </summary>
public sealed class MachineLayout
{
    public MachineLayout(int nodes, int disks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(disks);
        Nodes = nodes;
        Disks = disks;
    }

    public int Nodes { get; }

    public int Disks { get; }

    /// <summary>Components of the machine itself; the builder's own components follow.</summary>
    public int HardwareComponents => (3 * Nodes) + Disks;

#pragma warning disable CA1822 // part of the layout's vocabulary, next to Directory and Disk
    public ComponentId Processor(int node) => new(node);
#pragma warning restore CA1822

    public ComponentId Directory(int node) => new(Nodes + node);

    public ComponentId MemoryController(int node) => new((2 * Nodes) + node);

    public ComponentId Disk(int disk) => new((3 * Nodes) + disk);

    public int NodeOfDisk(int disk) => disk % Nodes;

    public bool IsProcessor(ComponentId id) => id.Value < Nodes;

    public bool IsDirectory(ComponentId id) => id.Value >= Nodes && id.Value < 2 * Nodes;

    public bool IsMemoryController(ComponentId id) => id.Value >= 2 * Nodes && id.Value < 3 * Nodes;

    public bool IsDisk(ComponentId id) => id.Value >= 3 * Nodes && id.Value < HardwareComponents;
}
