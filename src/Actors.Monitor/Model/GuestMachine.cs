using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Vms;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Model;

/// <summary>
/// The model <c>guest</c>: the IRIX-like guest OS with its workload on the FLASH-like machine, either straight on
/// the hardware (<c>monitor.enabled = false</c>: one guest on processor 0) or under the Disco monitor (one
/// uniprocessor VM per <c>monitor.vms</c>, VM k on processor k mod nodes, each running the same workload with its
/// own seed). Same workload and seed, so the two runs are the overhead experiment [D 5.3].
/// </summary>
public static class GuestMachine
{
    public const string ModelName = "guest";

    public static SimulationModel Build(MachineParams machine, GuestParams guest, GuestWorkload workload, MonitorParams monitor, bool underMonitor, SimTime end, long seed)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(monitor);
        var catalog = Register(new MessageCatalog());
        if (guest.LibraryOs && !underMonitor)
        {
            throw new Engine.Configuration.BadInputException("disco.guest.os", "splashos runs only under the monitor (monitor.enabled = true): the monitor handles its page faults");
        }

        if (guest.LibraryOs && (workload.FilesPerJob > 0 || workload.WriteKb > 0 || workload.OtherSyscallsPerMillion > 0 || (workload.Profile.SharedBytes > 0 && !workload.SharedAddressSpace)))
        {
            throw new Engine.Configuration.BadInputException($"disco.workload.{workload.Kind}", "splashos has no file system and no system calls: files-per-job, write-kb and other-syscalls-per-million must be 0, and shared-kb too unless shared-address-space (a mapped file needs a file system)");
        }

        if (!underMonitor)
        {
            if (guest.MemoryBytes > machine.MemoryBytes)
            {
                throw new Engine.Configuration.BadInputException("disco.guest.memory-mb", $"is {guest.MemoryBytes >> 20} MB, more than the machine's {machine.MemoryBytes >> 20} MB (on bare hardware guest memory is machine memory)");
            }

            int cpus = guest.Processors;
            if (cpus > machine.Nodes)
            {
                throw new Engine.Configuration.BadInputException("disco.guest.smp.processors", $"is {cpus}, the machine has {machine.Nodes} processors");
            }

            // An SMP guest: one kernel part per processor, each running the workload as VM k would (same seed), all
            // sharing kernel pages, boot-cached files and the memlock.
            var layout = new MachineLayout(machine.Nodes, machine.Disks);
            var parts = VirtualMachine.Place(cpus, machine.Nodes, guest, workload, seed);
            ComponentId? memlock = cpus > 1 ? new ComponentId(layout.HardwareComponents) : null;
            var builder = new MachineBuilder(machine, n => n < cpus
                ? new NativeSupervisor(new GuestKernel(guest, workload, parts[n].Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: false, monitorZeroes: false, instance: n, instances: cpus), machine, layout, memlock)
                : new UnusedProcessor());
            if (memlock is { } lockId)
            {
                AddLocks(builder, lockId, layout, guest.MemlockLatencyPs, vm: 0, Enumerable.Range(0, cpus));
            }

            return builder.Build(ModelName, end, seed, catalog);
        }

        var machineLayout = new MachineLayout(machine.Nodes, machine.Disks);
        var pageManager = new ComponentId(machineLayout.HardwareComponents);
        var supervisors = new MonitorSupervisor[machine.Nodes];
        var monitorBuilder = new MachineBuilder(machine, n => supervisors[n] = new MonitorSupervisor(monitor, machineLayout, pageManager, machine.L2.LineBytes));
        if (monitor.Nfs && machine.Disks < 2)
        {
            throw new Engine.Configuration.BadInputException("disco.machine.disk.count", "the NFS configuration needs at least 2 disks (the shared root disk and the server's data disk)");
        }

        if (monitor.Nfs && !workload.WarmCache)
        {
            throw new Engine.Configuration.BadInputException($"disco.workload.{workload.Kind}.warm-cache", "must be true with monitor.nfs.enabled (the NFS server serves the files from its cache)");
        }

        if (monitor.Nfs && workload.SyncWrites)
        {
            throw new Engine.Configuration.BadInputException($"disco.workload.{workload.Kind}.sync-writes", "must be false with monitor.nfs.enabled (NFS clients read their files from the server; they do not write them back)");
        }

        int perVm = monitor.VcpusPerVm;
        if (perVm > machine.Nodes)
        {
            throw new Engine.Configuration.BadInputException("disco.monitor.vcpus-per-vm", $"is {perVm}, the machine has {machine.Nodes} processors (a VM's VCPUs run on distinct processors)");
        }

        var vmGuestPages = new List<long>();
        int vcpus = 0;
        if (perVm > 1)
        {
            // SMP VMs: part k of VM v does the work of uniprocessor VM v × perVm + k (its seed), on its own processor;
            // each VM has its memlock after the page manager.
            var parts = VirtualMachine.Place(monitor.Vms * perVm, machine.Nodes, guest, workload, seed);
            for (int v = 0; v < monitor.Vms; v++)
            {
                for (int k = 0; k < perVm; k++)
                {
                    var part = parts[(v * perVm) + k];
                    var kernel = new GuestKernel(guest, workload, part.Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: true, monitorZeroes: true, instance: k, instances: perVm);
                    supervisors[part.Processor].Add(new Vcpu(v, kernel, monitor.L2TlbEntries), VmLocks(pageManager, v));
                    vcpus++;
                }

                vmGuestPages.Add(guest.MemoryPages);
            }
        }

        foreach (var vm in perVm > 1 ? [] : VirtualMachine.Place(monitor.Vms, machine.Nodes, guest, workload, seed))
        {
            bool server = monitor.Nfs && vm.Id == MonitorSupervisor.NfsServerVm;
            var kernel = server
                ? new GuestKernel(guest with { MemoryBytes = monitor.NfsServerMemoryBytes }, workload with { Jobs = 0, Parallelism = 0 }, vm.Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: true, monitorZeroes: true)
                : new GuestKernel(vm.Guest, vm.Workload, vm.Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: true, monitorZeroes: true, remoteData: monitor.Nfs);
            supervisors[vm.Processor].Add(new Vcpu(vm.Id, kernel, monitor.L2TlbEntries));
            vmGuestPages.Add(kernel.Parameters.MemoryPages);
            vcpus++;
        }

        long toManager = monitor.PageFillPs / 2;
        long back = monitor.PageFillPs - toManager;
        // The page manager runs on node 0: its disk requests cross from there like a processor's.
        long toDisk = Enumerable.Range(0, machine.Disks).Select(k => monitorBuilder.ProcessorToDiskPs(0, k)).DefaultIfEmpty(1).Min();
        var pages = new PageManager(machine.Nodes, machine.PagesPerNode, machine.L2.SizeBytes / machine.L2.Associativity / MachineConstants.PageSizeBytes);
        monitorBuilder.Add(new PageManagerComponent(pageManager, pages, machineLayout, back, monitor.PageCopyPs, toDisk, monitor.CheckInvariants, monitor.FootprintPages(machine.Nodes, machine.Nodes * machine.PagesPerNode, vmGuestPages, vcpus), machine.Disk.SectorBytes));
        for (int n = 0; n < machine.Nodes; n++)
        {
            monitorBuilder.Connect(machineLayout.Processor(n), pageManager, toManager);
            monitorBuilder.Connect(pageManager, machineLayout.Processor(n), back);
        }

        for (int v = 0; perVm > 1 && v < monitor.Vms; v++)
        {
            int first = v * perVm;
            AddLocks(monitorBuilder, VmLocks(pageManager, v), machineLayout, guest.MemlockLatencyPs, v, Enumerable.Range(first, perVm).Select(k => k % machine.Nodes));
        }

        if (monitor.Nfs)
        {
            // The virtual network: a message between VMs crosses from one processor's monitor to another's.
            for (int a = 0; a < machine.Nodes; a++)
            {
                for (int b = 0; b < machine.Nodes; b++)
                {
                    if (a != b)
                    {
                        monitorBuilder.Connect(machineLayout.Processor(a), machineLayout.Processor(b), monitor.NetworkLatencyPs);
                    }
                }
            }
        }

        for (int k = 0; k < machine.Disks; k++)
        {
            monitorBuilder.Connect(pageManager, machineLayout.Disk(k), toDisk);
            monitorBuilder.Connect(machineLayout.Disk(k), pageManager, toDisk);
        }

        return monitorBuilder.Build(ModelName, end, seed, catalog);
    }

    private static GuestKernel NewKernel(GuestParams guest, GuestWorkload workload, MachineParams machine, long seed, bool relocated) =>
        new(guest, workload, seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated, monitorZeroes: relocated);

    public static MessageCatalog Register(MessageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog
            .Register<MachinePageRequest>(MonitorMessageKinds.MachinePageRequest)
            .Register<MachinePageGrant>(MonitorMessageKinds.MachinePageGrant)
            .Register<VirtualDiskIo>(MonitorMessageKinds.VirtualDiskIo)
            .Register<VirtualDiskDone>(MonitorMessageKinds.VirtualDiskDone)
            .Register<CopyOnWriteRequest>(MonitorMessageKinds.CopyOnWriteRequest)
            .Register<Network.NfsRequest>(MonitorMessageKinds.NfsRequest)
            .Register<Network.NfsReply>(MonitorMessageKinds.NfsReply)
            .Register<LockAcquire>(MonitorMessageKinds.LockAcquire)
            .Register<LockGrant>(MonitorMessageKinds.LockGrant)
            .Register<LockRelease>(MonitorMessageKinds.LockRelease);
    }

    /// <summary>SMP VMs: VM <paramref name="vm"/>'s lock component, after the page manager.</summary>
    private static ComponentId VmLocks(ComponentId pageManager, int vm) => new(pageManager.Value + 1 + vm);

    /// <summary>An SMP guest's lock component (memlock and region semaphore), linked both ways to each of its processors.</summary>
    private static void AddLocks(MachineBuilder builder, ComponentId id, MachineLayout layout, long latencyPs, int vm, IEnumerable<int> processors)
    {
        builder.Add(new MemlockComponent(id, layout, latencyPs, vm));
        foreach (int n in processors)
        {
            builder.Connect(layout.Processor(n), id, latencyPs);
            builder.Connect(id, layout.Processor(n), latencyPs);
        }
    }

    /// <summary>The supervisors of a built model's processors (for tests and invariant checks).</summary>
    public static IEnumerable<ISupervisor> Supervisors(SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Components.OfType<ProcessorComponent>().Select(p => p.Supervisor);
    }
}
