namespace Disco.Actors.Monitor.Vms;

/// <summary>
/// A VM's virtual devices: the machine disks behind its virtual disks (its root disk, disk 0, shared copy-on-write by
/// every VM; its data disk, private, when the machine has more than one) and its interface on the virtual network.
/// </summary>
public sealed record VirtualDevices(IReadOnlyList<int> Disks, bool Network)
{
    /// <summary>VM <paramref name="vm"/>'s devices on a machine of <paramref name="machineDisks"/> disks (as <see cref="Vcpus.VirtualIo.PhysicalDisk"/> maps them).</summary>
    public static VirtualDevices Of(int vm, int machineDisks, bool network) =>
        new(machineDisks < 2 ? [0] : [0, 1 + (vm % (machineDisks - 1))], network);
}
