using Disco.Actors.Engine.Components;

namespace Disco.Actors.Monitor.Vms;

/// <summary>
/// Where the monitor's components are: the page manager, then (SMP VMs) a lock component per VM, then a component per
/// VCPU by its number in the run, then a VM manager per VM. Built from the machine layout's first non-hardware id.
/// </summary>
public sealed record MonitorIds(ComponentId PageManager, ComponentId FirstVcpu, int Vcpus, ComponentId FirstVmManager, int Vms)
{
    public ComponentId Vcpu(int index) =>
        index >= 0 && index < Vcpus ? new(FirstVcpu.Value + index) : throw new ArgumentOutOfRangeException(nameof(index), index, $"the run has {Vcpus} VCPUs");

    public ComponentId VmManager(int vm) =>
        vm >= 0 && vm < Vms ? new(FirstVmManager.Value + vm) : throw new ArgumentOutOfRangeException(nameof(vm), vm, $"the run has {Vms} VMs");

    /// <summary>The ids of a run with <paramref name="vms"/> VMs of <paramref name="vcpusPerVm"/> VCPUs (SMP VMs: a lock component each).</summary>
    public static MonitorIds After(int firstFree, int vms, int vcpusPerVm)
    {
        var pages = new ComponentId(firstFree);
        int locks = vcpusPerVm > 1 ? vms : 0;
        var firstVcpu = new ComponentId(firstFree + 1 + locks);
        int vcpus = vms * vcpusPerVm;
        return new MonitorIds(pages, firstVcpu, vcpus, new ComponentId(firstVcpu.Value + vcpus), vms);
    }

    /// <summary>VCPU <paramref name="k"/> of VM <paramref name="vm"/> (a VM's VCPUs are numbered together).</summary>
    public int VcpuOf(int vm, int k) => (vm * (Vcpus / Vms)) + k;

    /// <summary>The VCPU of the NFS server VM (VM 0, uniprocessor).</summary>
    public int NfsServerVcpu => VcpuOf(Monitor.Vcpus.VirtualIo.NfsServerVm, 0);

    /// <summary>SMP VMs with a shared run queue: VM <paramref name="vm"/>'s <c>guest.runqueue</c>, after the VM managers.</summary>
    public ComponentId RunQueue(int vm) =>
        vm >= 0 && vm < Vms ? new(FirstVmManager.Value + Vms + vm) : throw new ArgumentOutOfRangeException(nameof(vm), vm, $"the run has {Vms} VMs");

    /// <summary>SMP VMs: VM <paramref name="vm"/>'s lock component, after the page manager.</summary>
    public ComponentId Semaphore(int vm) => new(PageManager.Value + 1 + vm);
}
