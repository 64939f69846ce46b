using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Tests;

/// <summary>The copy-on-write disk cache: VMs share disk blocks in machine memory, and a write breaks the sharing.</summary>
public class SharingTests
{
    [Fact]
    public void A_block_read_by_another_VM_is_mapped_not_read_from_disk()
    {
        // Four VMs, cold caches: each reads the same program text from the shared root disk.
        var machine = GuestRuns.Machine(2) with { Disks = 3 };
        var monitor = GuestRuns.Monitor with { Vms = 4 };
        var (r, _) = GuestRuns.Run(GuestRuns.Pmake(jobs: 2), underMonitor: true, monitor: monitor, machine: machine);
        long guestReads = r.Counter("guest.disk_reads");
        long issued = r.Counter("disk_requests.issued");
        long shared = r.Counter("disk_requests.shared");
        Assert.True(issued < guestReads, $"{issued} disk requests for {guestReads} guest reads");
        Assert.Equal(issued, r.Counter("hw.disk.requests"));

        // Counted by three parties: a guest read (counted by the guest kernels) either goes to the disk as one request
        // (counted by the disks) or finds every block in the cache, each a shared read (counted by the page manager).
        Assert.True(shared >= guestReads - issued, $"{shared} shared blocks for {guestReads - issued} guest reads served from the cache");

        // No write reached the disks, so every page a disk transferred stayed in the cache: no block was read twice.
        Assert.Equal(0, r.Counter("guest.disk_writes"));
        Assert.InRange(r.Counter("hw.disk.pages"), issued, r.Counter("monitor.disk_cache_pages"));
    }

    [Fact]
    public void Eight_VMs_share_kernel_text_and_buffer_cache_so_the_machine_footprint_is_well_below_the_guests()
    {
        var machine = GuestRuns.Machine(2) with { Disks = 3 };
        var monitor = GuestRuns.Monitor with { Vms = 8, CheckInvariants = false };
        var (r, model) = GuestRuns.Run(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: true, monitor: monitor, machine: machine);
        long guest = r.Counter("memory_pages.guest");
        long machinePages = r.Counter("memory_pages.machine");
        Assert.True(machinePages < guest * 3 / 4, $"machine {machinePages} pages vs guest {guest}");

        // Peaks: the jobs' pages were freed by the end (guest) but stay backed (machine), so the end understates
        // the guests and the peak is what the machine had to hold.
        Assert.True(r.Counter("memory_pages.guest_peak") > guest);
        Assert.True(r.Counter("memory_pages.machine_peak") >= machinePages);
        Assert.True(r.Counter("memory_pages.machine_peak") < r.Counter("memory_pages.guest_peak"));
        Assert.All(Enumerable.Range(0, 8), vm => Assert.InRange(r.Counter($"vm.{vm}.memory_pages.guest_peak"), r.Counter($"vm.{vm}.memory_pages.guest") + 1, long.MaxValue));

        // Where the shared pages come from: every machine page mapped by several VMs is kernel text or a block of
        // the guests' buffer caches (the programs and headers on the shared root disk), read-only everywhere.
        var pages = model.Components.OfType<PageManagerComponent>().Single().Pages;
        var kernels = GuestMachine.Vcpus(model).ToDictionary(v => v.Vm, v => v.Kernel);
        long kernelText = 0, bufferCache = 0, shared = 0;
        foreach (long page in pages.Vms.SelectMany(vm => pages.Pmap(vm).Values).Distinct())
        {
            var mappers = pages.Memmap(page);
            if (mappers.Count < 2)
            {
                continue;
            }

            shared++;
            var (vm, guestPage) = mappers[0];
            Assert.True(pages.IsDiskCachePage(page));
            Assert.All(mappers, m => Assert.False(pages.IsWritable(m.Vm, m.Page)));
            if (guestPage < kernels[vm].Parameters.KernelTextPages)
            {
                kernelText++;
            }
            else
            {
                Assert.NotNull(kernels[vm].LoadedFrom(guestPage));
                bufferCache++;
            }
        }

        Assert.True(kernelText > 0 && bufferCache > 0, $"{kernelText} kernel text and {bufferCache} buffer-cache pages shared");
        Assert.Equal(shared, kernelText + bufferCache);

        // The footprint split says the same: kernel text and buffer cache shrink in machine memory. (Process pages
        // do not: they are private; the pages a guest freed were released by the monitor when the guest said so.)
        long Guest(string kind) => r.Counter("footprint.guest." + kind);
        long Machine(string kind) => r.Counter("footprint.machine." + kind);
        // The guest split is by construction (process pages are the rest), so check its parts against what the
        var parameters = kernels[0].Parameters;
        // configuration and the buffer caches say: each of the 8 kernels counts the text and data it touched, the
        // files cached at boot once used, and the rest is >= 0.
        Assert.InRange(Guest("kernel_text"), 8, 8L * parameters.KernelTextPages);
        Assert.InRange(Guest("kernel_data"), 8, 8L * parameters.KernelDataPages);
        Assert.InRange(Guest("buffer_cache"), 1, r.Counter("guest.buffer_cache_pages"));
        Assert.InRange(Guest("process"), 0, guest);
        Assert.Equal(machinePages, Machine("kernel_text") + Machine("kernel_data") + Machine("buffer_cache") + Machine("process"));
        Assert.True(Machine("kernel_text") * 4 < Guest("kernel_text"), "8 VMs share one kernel text (the part they touched)");
        Assert.True(Machine("buffer_cache") < Guest("buffer_cache"));

        // By one rule on both sides, sharing is what makes M smaller than V, at the end and at the peak.
        long Total(string side) => GuestKernel.FootprintKinds.Sum(k => r.Counter($"footprint.{side}.{k}"));
        Assert.True(Total("machine") < Total("guest"), $"M {Total("machine")} vs V {Total("guest")} pages");
        Assert.True(Total("machine.peak") < Total("guest.peak"), $"peak M {Total("machine.peak")} vs V {Total("guest.peak")} pages");
        Assert.True(r.Counter("footprint.machine.peak.kernel_text") * 4 < r.Counter("footprint.guest.peak.kernel_text"));

        // The monitor's own memory: 256 KB of code on each of 2 nodes (128 pages), a 16-byte memmap entry per machine
        // page (32,768 pages: 128), a 16-byte pmap entry per guest page of each 16 MB VM (8 × 16), and per VCPU 4 KB of
        // state plus a 4,096-entry second-level TLB of 16-byte entries (8 × 17). Outside memory_pages.machine.
        Assert.Equal(128 + 128 + (8 * 16) + (8 * 17), Machine("monitor"));
        Assert.Equal(0, Guest("monitor"));

        // Per-VM time: every VM ran, and their times add up to no more than the processors'.
        long vmUser = Enumerable.Range(0, 8).Sum(vm => r.Counter($"vm.{vm}.cpu_time_ps.user"));
        Assert.All(Enumerable.Range(0, 8), vm => Assert.True(r.Counter($"vm.{vm}.cpu_time_ps.user") > 0));
        Assert.Equal(r.Counter("cpu_time_ps.user"), vmUser);
    }

    [Fact]
    public void A_write_to_a_shared_block_gives_the_writer_a_copy_and_the_others_keep_the_original()
    {
        var pm = new PageManager(nodes: 2, pagesPerNode: 64, colors: 4);
        var (a, aCached) = pm.MapBlock(vm: 0, guestPage: 10, disk: 0, sector: 800, node: 0);
        var (b, bCached) = pm.MapBlock(vm: 1, guestPage: 20, disk: 0, sector: 800, node: 1);
        Assert.False(aCached);
        Assert.True(bCached);
        Assert.Equal(a, b);
        Assert.False(pm.IsWritable(1, 20));

        long copy = pm.CopyOnWrite(vm: 1, guestPage: 20, node: 1);
        Assert.NotEqual(a, copy);
        Assert.True(pm.IsWritable(1, 20));
        Assert.Equal(a, pm.Pmap(0)[10]); // VM 0 still reads the original
        Assert.Equal([new GuestPage(0, 10)], pm.Memmap(a));
        Assert.Equal([new GuestPage(1, 20)], pm.Memmap(copy));

        // The block stays cached as it was on disk: VM 1's modification is private to it.
        var (c, cCached) = pm.MapBlock(vm: 2, guestPage: 30, disk: 0, sector: 800, node: 0);
        Assert.True(cCached);
        Assert.Equal(a, c);
        Assert.Null(pm.Disagreement());
        Assert.Equal(1, pm.Copies);
    }

    [Fact]
    public void A_guest_that_updates_a_file_in_place_takes_copy_on_write_faults_and_requests_the_same_services()
    {
        var w = GuestRuns.Pmake(jobs: 2) with { WriteInPlace = true };
        var bare = GuestRuns.Run(w, underMonitor: false).Result;
        var (disco, model) = GuestRuns.Run(w, underMonitor: true);
        Assert.True(disco.Counter("monitor.copy_on_write") > 0);
        Assert.Equal(disco.Counter("monitor.copy_on_write"), disco.Counter("monitor.copy_on_write_faults"));
        Assert.Equal(disco.Counter("monitor.copy_on_write"), disco.Counter("vm.0.copy_on_write"));
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.Equal(bare.Counter($"service.{s.Name()}.count"), disco.Counter($"service.{s.Name()}.count"));
        }

        Assert.Null(model.Components.OfType<PageManagerComponent>().Single().Pages.Disagreement());
    }

    [Fact]
    public void A_VMs_writes_to_the_shared_disk_stay_private_to_it_and_only_its_own_reads_see_them()
    {
        var pm = new PageManager(nodes: 2, pagesPerNode: 64, colors: 4);
        var (original, _) = pm.MapBlock(vm: 1, guestPage: 20, disk: 0, sector: 800, node: 1);

        // VM 0 writes the block from a page of its own (its buffer), on the non-persistent shared disk.
        long buffer = pm.Translate(vm: 0, guestPage: 10, node: 0);
        Assert.Equal(buffer, pm.WriteBlock(vm: 0, guestPage: 10, disk: 0, sector: 800, persistent: false));
        Assert.False(pm.IsWritable(0, 10)); // what was written stays as written: the next store copies
        Assert.True(pm.TryModified(0, 0, 800, out long kept) && kept == buffer);
        Assert.False(pm.TryModified(1, 0, 800, out _));

        // Another VM reads the block as it is on disk; VM 0 reads its own version, even after its buffer moved on.
        Assert.Equal((original, true), pm.MapBlock(vm: 2, guestPage: 30, disk: 0, sector: 800, node: 0));
        long copy = pm.CopyOnWrite(vm: 0, guestPage: 10, node: 0);
        Assert.NotEqual(buffer, copy);
        Assert.Equal((buffer, true), pm.MapBlock(vm: 0, guestPage: 11, disk: 0, sector: 800, node: 0));
        Assert.Equal(1, pm.PrivateReads);
        Assert.DoesNotContain(pm.Memmap(buffer), m => m.Vm != 0);
        Assert.Null(pm.Disagreement());

        // VM 1 writes the same block: two private versions, the cached original untouched.
        long other = pm.Translate(vm: 1, guestPage: 21, node: 1);
        pm.WriteBlock(vm: 1, guestPage: 21, disk: 0, sector: 800, persistent: false);
        Assert.True(pm.TryModified(1, 0, 800, out long theirs) && theirs == other);
        Assert.Equal((original, true), pm.MapBlock(vm: 3, guestPage: 40, disk: 0, sector: 800, node: 1));
        Assert.Equal(2, pm.PrivateWrites);
        Assert.Null(pm.Disagreement());
    }

    [Fact]
    public void A_write_to_a_persistent_disk_becomes_the_cached_block()
    {
        var pm = new PageManager(nodes: 1, pagesPerNode: 64);
        var (stale, _) = pm.MapBlock(vm: 0, guestPage: 5, disk: 3, sector: 80, node: 0);
        long page = pm.Translate(vm: 0, guestPage: 6, node: 0);
        pm.WriteBlock(vm: 0, guestPage: 6, disk: 3, sector: 80, persistent: true);
        Assert.False(pm.TryModified(0, 3, 80, out _));
        Assert.Equal((page, true), pm.MapBlock(vm: 0, guestPage: 7, disk: 3, sector: 80, node: 0));
        Assert.False(pm.IsDiskCachePage(stale));
        Assert.Null(pm.Disagreement());
    }

    /// <summary>A database-like workload that forces in-place updates of its table (a file on the root disk).</summary>
    private static GuestWorkload SyncUpdates => GuestRuns.Pmake(jobs: 2, warm: true) with { WriteInPlace = true, SyncWrites = true };

    [Fact]
    public void Synchronous_writes_reach_the_disk_bare_and_on_a_persistent_disk_and_stay_in_memory_on_the_shared_one()
    {
        var bare = GuestRuns.Run(SyncUpdates, underMonitor: false).Result;
        Assert.Equal(bare.Counter("memory_pages.guest_peak"), bare.Counter("memory_pages.machine_peak"));
        Assert.True(bare.Counter("memory_pages.guest_peak") > bare.Counter("memory_pages.guest"), "the jobs' pages were freed when they exited");
        long writes = bare.Counter("guest.disk_writes");
        Assert.True(writes > 0);
        Assert.Equal(writes, bare.Counter("disk_writes.issued"));
        Assert.Equal(writes + bare.Counter("guest.disk_reads"), bare.Counter("hw.disk.requests"));

        var persistent = GuestRuns.Run(SyncUpdates, underMonitor: true, monitor: GuestRuns.Monitor with { PersistentRootDisk = true }).Result;
        Assert.Equal(writes, persistent.Counter("guest.disk_writes"));
        Assert.Equal(writes, persistent.Counter("disk_writes.issued"));
        Assert.Equal(0, persistent.Counter("disk_writes.private"));

        var (shared, model) = GuestRuns.Run(SyncUpdates, underMonitor: true, monitor: GuestRuns.Monitor with { Vms = 2 });
        Assert.Equal(2 * writes, shared.Counter("guest.disk_writes"));
        Assert.Equal(0, shared.Counter("disk_writes.issued"));
        Assert.True(shared.Counter("disk_writes.private") >= 2 * writes);
        foreach (var s in KernelServices.ModeIndependent)
        {
            Assert.Equal(bare.Counter($"service.{s.Name()}.count"), persistent.Counter($"service.{s.Name()}.count"));
        }

        // Both VMs updated the same blocks of the same file: each holds its own version, mapped by nobody else.
        var pages = model.Components.OfType<PageManagerComponent>().Single().Pages;
        Assert.Null(pages.Disagreement());
        var both = pages.Modifications.GroupBy(m => (m.Disk, m.Sector)).Where(g => g.Count() == 2).ToList();
        Assert.NotEmpty(both);
        Assert.All(both, g => Assert.NotEqual(g.First().Page, g.Last().Page));
        Assert.All(pages.Modifications, m => Assert.All(pages.Memmap(m.Page), holder => Assert.Equal(m.Vm, holder.Vm)));
    }

    [Fact]
    public void Synchronous_writes_give_one_digest_on_every_engine()
    {
        var monitor = GuestRuns.Monitor with { Vms = 2, CheckInvariants = false };
        Assert.Null(Testing.EngineMatrix.Disagreement(Testing.EngineMatrix.RunAll(() => GuestRuns.Build(SyncUpdates, true, monitor: monitor, machine: GuestRuns.Machine(2)), partitions: [0, 2], threads: [2])));
        Assert.Null(Testing.EngineMatrix.Disagreement(Testing.EngineMatrix.RunAll(() => GuestRuns.Build(SyncUpdates, false), partitions: [0], threads: [2])));
    }

    [Fact]
    public void Sharing_runs_give_one_digest_on_every_engine()
    {
        var machine = GuestRuns.Machine(2) with { Disks = 3 };
        var monitor = GuestRuns.Monitor with { Vms = 3, CheckInvariants = false };
        var runs = Testing.EngineMatrix.RunAll(() => GuestRuns.Build(GuestRuns.Pmake(jobs: 2) with { WriteInPlace = true }, true, monitor: monitor, machine: machine), partitions: [0, 2], threads: [2]);
        Assert.Null(Testing.EngineMatrix.Disagreement(runs));
    }
}
