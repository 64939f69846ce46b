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

    /// <param name="moves">Under the monitor: planned VCPU moves (tests and studies of migration); none by default.</param>
    public static SimulationModel Build(MachineParams machine, GuestParams guest, GuestWorkload workload, MonitorParams monitor, bool underMonitor, SimTime end, long seed, IReadOnlyList<VcpuMovePlan>? moves = null)
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
            // sharing kernel pages (the memlock's word among them), boot-cached files and the region semaphore.
            var layout = new MachineLayout(machine.Nodes, machine.Disks);
            var parts = VirtualMachine.Place(cpus, machine.Nodes, guest, workload, seed);
            ComponentId? semaphore = cpus > 1 ? new ComponentId(layout.HardwareComponents) : null;
            // With a shared run queue processes move between the parts; each part builds any part's process (its seed).
            var shells = new ProcessShells(workload, [.. parts.Select(p => p.Seed)]);
            ComponentId? runQueue = cpus > 1 && guest.SharedRunQueue ? new ComponentId(layout.HardwareComponents + 1) : null;
            if (runQueue is not null)
            {
                catalog
                    .Register<ProcessPut>(MonitorMessageKinds.ProcessPut, ProcessTransfer.Reader(_ => shells, static (p, part, vcpu) => new ProcessPut(p, part, vcpu)))
                    .Register<ProcessGive>(MonitorMessageKinds.ProcessGive, ProcessTransfer.Reader(_ => shells, static (p, part, vcpu) => new ProcessGive(p, part, vcpu)));
            }

            var builder = new MachineBuilder(machine, n => n < cpus
                ? new NativeSupervisor(new GuestKernel(guest, workload, parts[n].Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: false, monitorZeroes: false, instance: n, instances: cpus, runQueue: runQueue is null ? null : new RunQueueLink(n, cpus, guest.AffinityStealPs, shells)), machine, layout, semaphore, runQueue)
                : new UnusedProcessor());
            if (semaphore is { } lockId)
            {
                AddLocks(builder, lockId, layout, guest.SemaphoreLatencyPs, vm: 0, Enumerable.Range(0, cpus));
            }

            if (runQueue is { } queueId)
            {
                builder.Add(new RunQueueComponent(queueId, layout, guest.RunQueueLatencyPs, cpus));
                for (int n = 0; n < cpus; n++)
                {
                    builder.Connect(layout.Processor(n), queueId, guest.RunQueueLatencyPs);
                    builder.Connect(queueId, layout.Processor(n), guest.RunQueueLatencyPs);
                }
            }

            return builder.Build(ModelName, end, seed, catalog);
        }

        var machineLayout = new MachineLayout(machine.Nodes, machine.Disks);
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

        var ids = MonitorIds.After(machineLayout.HardwareComponents, monitor.Vms, perVm);
        var specs = VcpuSpecs(machine, guest, workload, monitor, seed);
        var plans = moves ?? [];
        foreach (var plan in plans)
        {
            if (plan.Vcpu < 0 || plan.Vcpu >= specs.Count || plan.Processor < 0 || plan.Processor >= machine.Nodes || plan.AtPs < 0)
            {
                throw new ArgumentException($"a planned move of VCPU {plan.Vcpu} to processor {plan.Processor} at {plan.AtPs} ps: no such VCPU or processor", nameof(moves));
            }
        }

        Vcpu Shell(int i) => new(specs[i].Vm, specs[i].Kernel(), monitor.L2TlbEntries, i);
        bool sharedRunQueue = SharedRunQueue(guest, monitor);
        if (sharedRunQueue)
        {
            ProcessShells ShellsOf(int vcpu) => vcpu >= 0 && vcpu < specs.Count ? specs[vcpu].Shells! : throw new CorruptStateException($"process vcpu: {vcpu} outside [0, {specs.Count - 1}]");
            catalog
                .Register<ProcessPut>(MonitorMessageKinds.ProcessPut, ProcessTransfer.Reader(ShellsOf, static (p, part, vcpu) => new ProcessPut(p, part, vcpu)))
                .Register<ProcessGive>(MonitorMessageKinds.ProcessGive, ProcessTransfer.Reader(ShellsOf, static (p, part, vcpu) => new ProcessGive(p, part, vcpu)));
        }

        catalog
            .Register<VcpuDispatch>(MonitorMessageKinds.VcpuDispatch, VcpuTransfer.Reader(Shell, specs.Count, static (v, owner) => new VcpuDispatch(v, owner)))
            .Register<VcpuPark>(MonitorMessageKinds.VcpuPark, VcpuTransfer.Reader(Shell, specs.Count, static (v, owner) => new VcpuPark(v, owner)));
        var supervisors = new MonitorSupervisor[machine.Nodes];
        var vmGuestPages = specs.GroupBy(x => x.Vm).OrderBy(g => g.Key).Select(g => g.First().GuestPages).ToList();
        var monitorMemory = new MonitorMemory(monitor, machine.Nodes, machine.PagesPerNode, vmGuestPages, [.. specs.Select(x => (x.Vm, x.Processor))]);
        // A monitor that neither migrates nor replicates (numa.enabled = false, disco-static) does not program the
        // directories' miss counters: no hot-page interrupt is raised at all (before, each was taken and dropped).
        var hardware = monitor.Numa.Enabled ? machine : machine with { HotPageThreshold = 0 };
        var monitorBuilder = new MachineBuilder(hardware, n => supervisors[n] = new MonitorSupervisor(monitor, machineLayout, ids, machine.L2.LineBytes, Shell, monitorMemory, n, machine.L1.LineBytes));

        // Each processor starts with its first VCPU loaded (a processor with one VCPU never hands it back); the
        // others start parked in their components.
        var parked = new Vcpu?[specs.Count];
        for (int i = 0; i < specs.Count; i++)
        {
            var v = Shell(i);
            bool loaded = specs.FindIndex(x => x.Processor == specs[i].Processor) == i;
            supervisors[specs[i].Processor].Place(v, loaded);
            parked[i] = loaded ? null : v;
        }

        long toManager = monitor.PageFillPs / 2;
        long back = monitor.PageFillPs - toManager;
        long ipi = monitor.IpiLatencyPs;
        // The page manager runs on node 0: its disk requests cross from there like a processor's.
        long toDisk = Enumerable.Range(0, machine.Disks).Select(k => monitorBuilder.ProcessorToDiskPs(0, k)).DefaultIfEmpty(1).Min();
        var pages = new PageManager(machine.Nodes, machine.PagesPerNode, machine.L2.SizeBytes / machine.L2.Associativity / MachineConstants.PageSizeBytes, monitorMemory.ReservedPerNode);
        monitorBuilder.Add(new PageManagerComponent(ids.PageManager, pages, machineLayout, back, monitor.PageCopyPs, toDisk, monitor.CheckInvariants, monitor.FootprintPages(machine.Nodes, machine.Nodes * machine.PagesPerNode, vmGuestPages, specs.Count), machine.Disk.SectorBytes, ids, monitor.ShootdownSendPs, monitor.Numa, machine.HotPageIntervalPs));
        for (int n = 0; n < machine.Nodes; n++)
        {
            monitorBuilder.Connect(machineLayout.Processor(n), ids.PageManager, toManager);
            monitorBuilder.Connect(ids.PageManager, machineLayout.Processor(n), back);
        }

        for (int v = 0; perVm > 1 && v < monitor.Vms; v++)
        {
            // Linked to every processor: a VCPU that moves keeps its VM's lock.
            AddLocks(monitorBuilder, ids.Semaphore(v), machineLayout, guest.SemaphoreLatencyPs, v, Enumerable.Range(0, machine.Nodes));
            foreach (var s in supervisors)
            {
                s.AddSemaphore(v, ids.Semaphore(v));
            }
        }

        // A VCPU may run on any processor: its component is linked both ways to each (an inter-processor interrupt).
        for (int i = 0; i < specs.Count; i++)
        {
            int index = i;
            monitorBuilder.Add(new VcpuComponent(ids.Vcpu(i), i, specs[i].Processor, machineLayout, parked[i], () => Shell(index), ipi, ids.PageManager));
            if (perVm > 1)
            {
                // SMP VMs: a parked VCPU's component acknowledges a TLB shootdown for it.
                monitorBuilder.Connect(ids.Vcpu(i), ids.PageManager, ipi);
            }

            for (int n = 0; n < machine.Nodes; n++)
            {
                monitorBuilder.Connect(ids.Vcpu(i), machineLayout.Processor(n), ipi);
                monitorBuilder.Connect(machineLayout.Processor(n), ids.Vcpu(i), ipi);
            }
        }

        var vms = VirtualMachine.Place(monitor.Vms, machine.Nodes, guest, workload, seed);
        for (int v = 0; v < monitor.Vms; v++)
        {
            int[] vcpus = [.. Enumerable.Range(0, specs.Count).Where(i => specs[i].Vm == v)];
            monitorBuilder.Add(new VmManagerComponent(ids.VmManager(v), vms[v], ids, vcpus, [.. vcpus.Select(i => specs[i].Processor)], machine.Nodes, vmGuestPages[v], VirtualDevices.Of(v, machine.Disks, monitor.Nfs), plans, ipi));
            monitorBuilder.Connect(ids.PageManager, ids.VmManager(v), back);
            monitorBuilder.Connect(ids.VmManager(v), ids.PageManager, ipi);
            foreach (int i in vcpus)
            {
                monitorBuilder.Connect(ids.VmManager(v), ids.Vcpu(i), ipi);
            }
        }

        if (sharedRunQueue)
        {
            AddRunQueues(monitorBuilder, ids, supervisors, [.. specs.Select(x => x.Processor)], guest.RunQueueLatencyPs, monitor.Vms, perVm, machine.Nodes, machineLayout);
        }

        if (monitor.Nfs)
        {
            // The virtual network: a client's request crosses from its processor's monitor to the server VM's manager.
            for (int n = 0; n < machine.Nodes; n++)
            {
                monitorBuilder.Connect(machineLayout.Processor(n), ids.VmManager(MonitorSupervisor.NfsServerVm), monitor.NetworkLatencyPs);
            }
        }

        for (int k = 0; k < machine.Disks; k++)
        {
            monitorBuilder.Connect(ids.PageManager, machineLayout.Disk(k), toDisk);
            monitorBuilder.Connect(machineLayout.Disk(k), ids.PageManager, toDisk);
        }

        return monitorBuilder.Build(ModelName, end, seed, catalog);
    }

    /// <summary>What each VCPU of a run under the monitor is, by number: its VM, its first processor, how to build its guest kernel, its VM's memory.</summary>
    /// <param name="Shells">SMP VMs with a shared run queue: how its VM's processes are built (else null).</param>
    private sealed record VcpuSpec(int Vm, int Processor, Func<GuestKernel> Kernel, long GuestPages, ProcessShells? Shells = null);

    /// <summary>SMP VMs of the IRIX-like guest run its shared run queue unless <c>guest.smp.scheduling = pinned</c> (splashos threads stay on their VCPUs).</summary>
    private static bool SharedRunQueue(GuestParams guest, MonitorParams monitor) => monitor.VcpusPerVm > 1 && guest.SharedRunQueue && !guest.LibraryOs;

    private static List<VcpuSpec> VcpuSpecs(MachineParams machine, GuestParams guest, GuestWorkload workload, MonitorParams monitor, long seed)
    {
        var specs = new List<VcpuSpec>();
        int perVm = monitor.VcpusPerVm;
        if (perVm > 1)
        {
            // SMP VMs: part k of VM v does the work of uniprocessor VM v × perVm + k (its seed), on its own processor.
            var parts = VirtualMachine.Place(monitor.Vms * perVm, machine.Nodes, guest, workload, seed);
            bool shared = SharedRunQueue(guest, monitor);
            for (int v = 0; v < monitor.Vms; v++)
            {
                // With a shared run queue processes move between the VM's parts; each builds any part's process (its seed).
                var shells = shared ? new ProcessShells(workload, [.. Enumerable.Range(v * perVm, perVm).Select(i => parts[i].Seed)]) : null;
                for (int k = 0; k < perVm; k++)
                {
                    var part = parts[(v * perVm) + k];
                    int instance = k;
                    var link = shells is null ? null : new RunQueueLink(k, perVm, guest.AffinityStealPs, shells, specs.Count);
                    specs.Add(new VcpuSpec(v, part.Processor, () => new GuestKernel(guest, workload, part.Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: true, monitorZeroes: true, instance: instance, instances: perVm, runQueue: link), guest.MemoryPages, shells));
                }
            }

            return specs;
        }

        foreach (var vm in VirtualMachine.Place(monitor.Vms, machine.Nodes, guest, workload, seed))
        {
            if (monitor.Nfs && vm.Id == MonitorSupervisor.NfsServerVm)
            {
                var serverGuest = guest with { MemoryBytes = monitor.NfsServerMemoryBytes };
                specs.Add(new VcpuSpec(vm.Id, vm.Processor, () => new GuestKernel(serverGuest, workload with { Jobs = 0, Parallelism = 0 }, vm.Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: true, monitorZeroes: true, nfsServer: true), serverGuest.MemoryPages));
            }
            else
            {
                specs.Add(new VcpuSpec(vm.Id, vm.Processor, () => new GuestKernel(vm.Guest, vm.Workload, vm.Seed, machine.Disks, machine.Disk.Sectors, machine.Disk.SectorBytes, machine.L2.LineBytes, relocated: true, monitorZeroes: true, remoteData: monitor.Nfs), vm.Guest.MemoryPages));
            }
        }

        return specs;
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
            .Register<LockRelease>(MonitorMessageKinds.LockRelease)
            .Register<RunQueueAsk>(MonitorMessageKinds.RunQueueAsk)
            .Register<RunQueueThieves>(MonitorMessageKinds.RunQueueThieves)
            .Register<ProcessReturn>(MonitorMessageKinds.ProcessReturn)
            .Register<VcpuReady>(MonitorMessageKinds.VcpuReady)
            .Register<VcpuFetch>(MonitorMessageKinds.VcpuFetch)
            .Register<VcpuRecall>(MonitorMessageKinds.VcpuRecall)
            .Register<VcpuLeave>(MonitorMessageKinds.VcpuLeave)
            .Register<VcpuMove>(MonitorMessageKinds.VcpuMove)
            .Register<VmVcpusQuery>(MonitorMessageKinds.VmVcpusQuery)
            .Register<VmVcpusAnswer>(MonitorMessageKinds.VmVcpusAnswer)
            .Register<TlbShootdown>(MonitorMessageKinds.TlbShootdown)
            .Register<TlbShootdownAck>(MonitorMessageKinds.TlbShootdownAck)
            .Register<Numa.PageCopyRequest>(MonitorMessageKinds.PageCopyRequest)
            .Register<Numa.PageCopyDone>(MonitorMessageKinds.PageCopyDone)
            .Register<PageRelease>(MonitorMessageKinds.PageRelease);
    }

    /// <summary>
    /// Under Disco, each SMP VM's shared run queue: it reaches a part through its VCPU's component (which forwards to
    /// the processor running the VCPU, or keeps the message while it is parked); any processor reaches it (VCPUs move).
    /// </summary>
    private static void AddRunQueues(MachineBuilder builder, MonitorIds ids, MonitorSupervisor[] supervisors, int[] processors, long latencyPs, int vms, int perVm, int nodes, MachineLayout layout)
    {
        for (int v = 0; v < vms; v++)
        {
            var queue = ids.RunQueue(v);
            int[] vcpus = [.. Enumerable.Range(v * perVm, perVm)];
            builder.Add(new RunQueueComponent(queue, latencyPs, [.. vcpus.Select(ids.Vcpu)], vcpus, processors[vcpus[0]]));
            foreach (int i in vcpus)
            {
                builder.Connect(queue, ids.Vcpu(i), latencyPs);
            }

            for (int n = 0; n < nodes; n++)
            {
                builder.Connect(layout.Processor(n), queue, latencyPs);
            }

            foreach (var s in supervisors)
            {
                s.AddRunQueue(v, queue);
            }
        }
    }

    /// <summary>An SMP guest's region semaphore (its memlock is a spin lock in memory), linked both ways to each of its processors.</summary>
    private static void AddLocks(MachineBuilder builder, ComponentId id, MachineLayout layout, long latencyPs, int vm, IEnumerable<int> processors)
    {
        builder.Add(new SemaphoreComponent(id, layout, latencyPs, vm));
        foreach (int n in processors)
        {
            builder.Connect(layout.Processor(n), id, latencyPs);
            builder.Connect(id, layout.Processor(n), latencyPs);
        }
    }

    /// <summary>
    /// Every VCPU of a built model wherever its state is (parked in its component or loaded on a processor), by
    /// number; a VCPU in flight between the two is not listed (for tests and invariant checks).
    /// </summary>
    public static IEnumerable<Vcpu> Vcpus(SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Components.OfType<VcpuComponent>().Select(c => c.Parked)
            .Concat(Supervisors(model).OfType<MonitorSupervisor>().Select(s => s.Loaded))
            .OfType<Vcpu>()
            .OrderBy(v => v.Index);
    }

    /// <summary>The supervisors of a built model's processors (for tests and invariant checks).</summary>
    public static IEnumerable<ISupervisor> Supervisors(SimulationModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Components.OfType<ProcessorComponent>().Select(p => p.Supervisor);
    }
}
