using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>An SMP guest on bare hardware: processors share the kernel's pages and contend for the memlock.</summary>
public class SmpTests
{
    private static Engine.Model.SimulationModel Build(int processors) =>
        GuestRuns.Build(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: false, machine: GuestRuns.Machine(4) with { Disks = 2 }, guest: GuestRuns.Guest with { Processors = processors, MemoryBytes = 64L << 20 });

    [Fact]
    public void Each_processor_does_what_a_VM_would_and_memlock_waits_grow_with_processors()
    {
        var two = Engine.Kernel.SequentialKernel.Run(Build(2));
        var four = Engine.Kernel.SequentialKernel.Run(Build(4));
        var vms = GuestRuns.Run(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: true, monitor: GuestRuns.Monitor with { Vms = 4, CheckInvariants = false }, machine: GuestRuns.Machine(4) with { Disks = 2 }).Result;
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.Equal(vms.Counter($"service.{s.Name()}.count"), four.Counter($"service.{s.Name()}.count"));
        }

        Assert.Equal(GuestRuns.TimePs(vms, ExecutionMode.User), GuestRuns.TimePs(four, ExecutionMode.User));
        double PerAcquisition(Engine.Run.RunResult r) => r.Counter("hw.lock.spin_ps") / (double)r.Counter("hw.lock.acquires");
        Assert.True(two.Counter("hw.lock.acquires") > 0);
        Assert.True(PerAcquisition(four) > PerAcquisition(two), $"{PerAcquisition(four):F0} ps per acquisition on 4 processors vs {PerAcquisition(two):F0} on 2");
        Assert.True(four.Counter("hw.lock.contended") > 0);
    }

    [Fact]
    public void The_SMP_guest_counts_its_shared_kernel_and_cached_files_once()
    {
        var one = Engine.Kernel.SequentialKernel.Run(Build(1));
        var four = Engine.Kernel.SequentialKernel.Run(Build(4));
        Assert.Equal(one.Counter("footprint.guest.kernel_text"), four.Counter("footprint.guest.kernel_text"));
        Assert.Equal(four.Counter("memory_pages.guest"), four.Counter("memory_pages.machine"));
        // Kernel data written on one processor and touched on another moves by forward (dirty) or invalidation (shared).
        Assert.True(four.Counter("hw.processor.invalidations") + four.Counter("hw.processor.forwards") > 0, "the processors' caches contend for the kernel's data");
        Assert.Equal(0, one.Counter("hw.processor.invalidations") + one.Counter("hw.processor.forwards"));
    }

    private static Engine.Model.SimulationModel ByProcessor(int processors) =>
        GuestRuns.Build(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: false, machine: GuestRuns.Machine(4) with { Disks = 2 }, guest: GuestRuns.Guest with { Processors = processors, MemoryBytes = 64L << 20, PlaceByProcessor = true });

    [Fact]
    public void By_processor_placement_keeps_each_processors_memory_local_and_changes_nothing_else()
    {
        var roundRobin = Engine.Kernel.SequentialKernel.Run(Build(4));
        var model = ByProcessor(4);
        var local = Engine.Kernel.SequentialKernel.Run(model);
        Assert.Equal(GuestRuns.TimePs(roundRobin, ExecutionMode.User), GuestRuns.TimePs(local, ExecutionMode.User));
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.Equal(roundRobin.Counter($"service.{s.Name()}.count"), local.Counter($"service.{s.Name()}.count"));
        }

        // Misses on the processes' own pages turn local; the shared kernel and files stay interleaved.
        Assert.True(local.Counter("cache_misses.remote") < roundRobin.Counter("cache_misses.remote"), $"remote misses {local.Counter("cache_misses.remote")} by processor vs {roundRobin.Counter("cache_misses.remote")} round robin");
        Assert.True(local.Counter("cache_misses.local") > roundRobin.Counter("cache_misses.local"));

        // The map is one to one over every page a part can allocate, each slice on its own node, colours kept.
        var supervisors = GuestMachine.Supervisors(model).OfType<NativeSupervisor>().ToList();
        var kernel = supervisors[0].Kernel;
        long pages = kernel.SharedPages + (kernel.Instances * kernel.SliceSize);
        var machinePages = Enumerable.Range(0, (int)pages).Select(g => supervisors[0].MachinePageOf(g)).ToList();
        Assert.Equal(machinePages.Count, machinePages.Distinct().Count());
        long pagesPerNode = GuestRuns.Machine(4).PagesPerNode;
        long colors = GuestRuns.Machine(4).L2.SizeBytes / GuestRuns.Machine(4).L2.Associativity / 4096;
        for (int part = 0; part < 4; part++)
        {
            long first = kernel.SharedPages + (part * kernel.SliceSize);
            Assert.All(Enumerable.Range(0, (int)kernel.SliceSize), i => Assert.Equal(part, machinePages[(int)first + i] / pagesPerNode));
        }

        Assert.All(Enumerable.Range(0, (int)pages), g => Assert.Equal(g % colors, machinePages[g] % colors));
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => ByProcessor(3), partitions: [2], threads: [2])));
    }

    [Fact]
    public void SMP_runs_give_one_digest_on_every_engine() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => Build(3), partitions: [0, 2], threads: [2])));
}

/// <summary>SMP VMs under the monitor: VCPUs of one VM share its memory, pmap and memlock.</summary>
public class SmpVmTests
{
    private static (Engine.Run.RunResult Result, Engine.Model.SimulationModel Model) Run(int vms, int perVm, bool check = true) =>
        GuestRuns.Run(
            GuestRuns.Pmake(jobs: 2, warm: true),
            underMonitor: true,
            monitor: GuestRuns.Monitor with { Vms = vms, VcpusPerVm = perVm, CheckInvariants = check },
            machine: GuestRuns.Machine(4) with { Disks = 2 });

    [Fact]
    public void Two_SMP_VMs_do_the_work_of_four_uniprocessor_VMs_keep_isolation_and_contend_only_within_a_VM()
    {
        var (smp, model) = Run(vms: 2, perVm: 2);
        var (up, _) = Run(vms: 4, perVm: 1);
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.Equal(up.Counter($"service.{s.Name()}.count"), smp.Counter($"service.{s.Name()}.count"));
        }

        Assert.Equal(GuestRuns.TimePs(up, ExecutionMode.User), GuestRuns.TimePs(smp, ExecutionMode.User));
        Assert.True(smp.Counter("hw.lock.acquires") > 0);

        // A VCPU spinning for its VM's memlock spins in the guest's kernel, not in the monitor.
        Assert.True(GuestRuns.TimePs(smp, ExecutionMode.Kernel) >= smp.Counter("hw.lock.spin_ps"), $"kernel {GuestRuns.TimePs(smp, ExecutionMode.Kernel)} ps, memlock waits {smp.Counter("hw.lock.spin_ps")} ps");
        Assert.Equal(0, up.Counter("hw.lock.acquires"));
        Assert.Equal(2, model.Components.OfType<SemaphoreComponent>().Count());

        // The VCPUs of a VM share its pmap: the kernel's text is backed once per VM, not once per VCPU.
        var pages = model.Components.OfType<Memory.PageManagerComponent>().Single().Pages;
        Assert.Null(pages.Disagreement());
        Assert.Contains(pages.Pmap(0).Keys, g => g < GuestRuns.Guest.KernelTextPages);
        Assert.Contains(pages.Pmap(1).Keys, g => g < GuestRuns.Guest.KernelTextPages);
        Assert.True(smp.Counter("memory_pages.machine") < up.Counter("memory_pages.machine"), "two SMP VMs need fewer machine pages than four uniprocessor VMs");
    }

    [Fact]
    public void SMP_VMs_with_more_VCPUs_than_processors_finish_their_work_although_holders_get_descheduled()
    {
        // Two VMs of four VCPUs on four processors, two VCPUs per processor: the same work as eight uniprocessor VMs.
        var (smp, _) = Run(vms: 2, perVm: 4, check: false);
        var (up, _) = Run(vms: 8, perVm: 1, check: false);
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.Equal(up.Counter($"service.{s.Name()}.count"), smp.Counter($"service.{s.Name()}.count"));
        }

        Assert.Equal(GuestRuns.TimePs(up, ExecutionMode.User), GuestRuns.TimePs(smp, ExecutionMode.User));
        Assert.Equal(smp.Counter("hw.lock.acquires"), smp.Counter("hw.lock.releases"));
        Assert.True(smp.Counter("hw.lock.contended") > 0, "the eight VCPUs contend for their memlock");
    }

    /// <summary>
    /// More SMP VMs than processors, so VCPUs of different VMs share each processor: before the memlock was a word in
    /// memory, a VCPU waiting for its lock kept its processor from the VCPU of the other VM that held theirs, and these
    /// runs stopped with no work done. Now the spinner looks again every quantum and its time slice ends.
    /// </summary>
    [Theory]
    [InlineData(4, 2, 2, 2)]
    [InlineData(2, 2, 2, 4)]
    [InlineData(3, 2, 2, 3)]
    public void SMP_VMs_sharing_processors_never_deadlock_on_their_memlocks(int vms, int perVm, int nodes, int jobs)
    {
        var model = GuestRuns.Build(
            GuestRuns.Pmake(jobs: jobs, warm: true),
            true,
            monitor: GuestRuns.Monitor with { Vms = vms, VcpusPerVm = perVm, CheckInvariants = false, VcpuTimeSlicePs = 200_000_000 },
            machine: GuestRuns.Machine(nodes) with { Disks = 2 });
        var r = Engine.Kernel.SequentialKernel.Run(model);
        Assert.Equal(vms * perVm * jobs, r.Counter("service.exit.count"));
        Assert.True(r.Counter("hw.lock.contended") > 0, "the VCPUs contended for their memlocks");
    }

    [Fact]
    public void SMP_VMs_sharing_processors_give_one_digest_on_every_engine() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => GuestRuns.Build(
            GuestRuns.Pmake(jobs: 2, warm: true), true,
            monitor: GuestRuns.Monitor with { Vms = 4, VcpusPerVm = 2, CheckInvariants = false, VcpuTimeSlicePs = 200_000_000 },
            machine: GuestRuns.Machine(2) with { Disks = 2 }), partitions: [0, 2], threads: [2])));

    [Fact]
    public void SMP_VM_runs_give_one_digest_on_every_engine() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => GuestRuns.Build(
            GuestRuns.Pmake(jobs: 2, warm: true), true,
            monitor: GuestRuns.Monitor with { Vms = 2, VcpusPerVm = 2, CheckInvariants = false },
            machine: GuestRuns.Machine(4) with { Disks = 2 }), partitions: [0, 2], threads: [2])));
}
