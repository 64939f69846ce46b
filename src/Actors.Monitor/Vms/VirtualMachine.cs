using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Vms;

/// <summary>
/// A virtual machine as the monitor sets it up: its guest-physical memory, its VCPU's processor (affinity), its
/// workload instance and seed. The VM manager's decisions live here: where a VM runs and what it is given.
/// </summary>
public sealed record VirtualMachine(int Id, GuestParams Guest, GuestWorkload Workload, int Processor, long Seed)
{
    /// <summary>
    /// The VMs of a run: VM k on processor k mod <paramref name="nodes"/>; VM 0 keeps the run's seed (so it is the
    /// bare run's twin), the others derive theirs.
    /// </summary>
    public static IReadOnlyList<VirtualMachine> Place(int vms, int nodes, GuestParams guest, GuestWorkload workload, long seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vms, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        return [.. Enumerable.Range(0, vms).Select(k => new VirtualMachine(k, guest, workload, k % nodes, k == 0 ? seed : unchecked(seed + (k * (long)0x9E3779B97F4A7C15UL))))];
    }
}
