using System.Buffers;
using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Tlb;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Isolation, property-style: random workloads on several VMs, with the monitor checking after every emulated TLB
/// write, every VCPU switch and every pmap change (monitor.check-invariants), and the final state checked here.
/// </summary>
public class IsolationTests
{
    private static GuestWorkload RandomWorkload(Random r) => new()
    {
        Kind = "random",
        Profile = new SyntheticProfile
        {
            Instructions = r.Next(20_000, 80_000),
            CodeBytes = r.Next(4, 32) << 12,
            WorkingSetBytes = r.Next(8, 128) << 12,
            SharedBytes = r.Next(2) == 0 ? 0 : r.Next(1, 16) << 12,
            SharedShare = 0.2,
        } is var p && p.SharedBytes == 0 ? p with { SharedShare = 0 } : p,
        Jobs = r.Next(1, 5),
        Parallelism = 1,
        Programs = 1,
        FilesPerJob = r.Next(0, 3),
        DistinctFiles = r.Next(1, 4),
        FileKb = 4 * r.Next(1, 4),
        CallKb = 4,
        WriteKb = 4 * r.Next(0, 3),
        OtherSyscallsPerMillion = r.Next(0, 300),
        WarmCache = r.Next(2) == 0,
    };

    [Theory]
    [InlineData(1, 1, 2)]
    [InlineData(2, 1, 3)]
    [InlineData(3, 2, 3)]
    [InlineData(4, 2, 4)]
    [InlineData(5, 1, 4)]
    public void A_VM_never_reaches_a_machine_page_it_was_not_given_and_pmap_agrees_with_memmap(int seed, int nodes, int vms)
    {
        var r = new Random(seed);
        var w = RandomWorkload(r);
        w = w with { Parallelism = Math.Min(w.Jobs, r.Next(1, 3)) };
        var monitor = GuestRuns.Monitor with { Vms = vms, VcpuTimeSlicePs = 20_000_000 }; // 20 us: many VCPU switches
        var (result, model) = GuestRuns.Run(w, underMonitor: true, seed: seed, monitor: monitor, machine: GuestRuns.Machine(nodes));

        var pages = model.Components.OfType<PageManagerComponent>().Single().Pages;
        Assert.Null(pages.Disagreement());
        Assert.True(result.Counter("monitor.vcpu_switches") > vms, "VCPUs shared processors and were switched");
        foreach (int vm in pages.Vms)
        {
            foreach (var (guestPage, machinePage) in pages.Pmap(vm))
            {
                // A page in several pmaps is a disk block shared through the cache, and nobody may write it.
                if (pages.Memmap(machinePage).Count > 1)
                {
                    Assert.True(pages.IsDiskCachePage(machinePage), $"machine page {machinePage} is shared but holds no disk block");
                    Assert.False(pages.IsWritable(vm, guestPage), $"VM {vm} may write shared machine page {machinePage}");
                }
            }
        }

        Assert.Equal(vms, GuestMachine.Vcpus(model).Count());
        foreach (var v in GuestMachine.Vcpus(model))
        {
            Assert.True(v.Kernel.Finished, $"VM {v.Vm} ran to the end");
            var pmap = pages.Pmap(v.Vm);
            foreach (var (guestPage, _, _) in v.Kernel.Processes.SelectMany(p => p.Mappings()))
            {
                Assert.True(v.TryMachinePage(guestPage, out long mp) && pmap[guestPage] == mp);
            }
        }

        Assert.Equal(vms * w.Jobs, result.Counter("service.exit.count"));
    }

    [Fact]
    public void The_isolation_check_catches_a_TLB_entry_of_another_VM()
    {
        var vcpu = new Vcpu(0, GuestRuns.Kernel(GuestRuns.Build(GuestRuns.Pmake(), underMonitor: true)), 16);
        vcpu.Grant(guestPage: 3, machinePage: 5);
        var tlb = new SoftwareTlb(8);
        tlb.Write(new TlbEntry(1, 1, 5, true, -1, false), 0);
        MonitorSupervisor.CheckIsolation(vcpu, tlb);
        tlb.Write(new TlbEntry(2, 1, 6, true, -1, false), 1);
        var e = Assert.Throws<InvalidOperationException>(() => MonitorSupervisor.CheckIsolation(vcpu, tlb));
        Assert.Contains("machine page 6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_VCPU_switch_leaves_no_TLB_entry_of_the_VM_switched_away_from()
    {
        // Two VMs share one processor; with the checks on, a switch that kept entries would throw. Here we also
        // look: every entry left at the end belongs to the VM that ran last.
        var monitor = GuestRuns.Monitor with { Vms = 2, VcpuTimeSlicePs = 10_000_000 };
        var (result, model) = GuestRuns.Run(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: true, monitor: monitor);
        Assert.True(result.Counter("monitor.vcpu_switches") >= 10);
        var s = GuestMachine.Supervisors(model).OfType<MonitorSupervisor>().Single();
        var cpu = model.Components.OfType<Hardware.Processor.ProcessorComponent>().First();
        MonitorSupervisor.CheckIsolation(GuestMachine.Vcpus(model).Single(v => v.Index == s.Scheduler.TlbOwner), cpu.Tlb);
    }

    [Fact]
    public void Pmap_and_memmap_agree_after_every_operation_and_allocation_is_local_and_keeps_colour()
    {
        var r = new Random(11);
        const int Nodes = 4;
        const long PagesPerNode = 64;
        var pm = new PageManager(Nodes, PagesPerNode, colors: 8);
        var given = new Dictionary<(int, long), long>();
        for (int i = 0; i < 200; i++)
        {
            int vm = r.Next(3);
            long guestPage = r.Next(100);
            int node = r.Next(Nodes);
            bool colourFree = Enumerable.Range(0, (int)PagesPerNode).Select(k => (node * PagesPerNode) + k)
                .Any(p => p % 8 == guestPage % 8 && !given.ContainsValue(p));
            long page = pm.Translate(vm, guestPage, node);
            Assert.Null(pm.Disagreement());
            if (given.TryGetValue((vm, guestPage), out long before))
            {
                Assert.Equal(before, page); // stable once given
                continue;
            }

            Assert.DoesNotContain(page, given.Values); // never given twice
            given[(vm, guestPage)] = page;
            Assert.Equal([new GuestPage(vm, guestPage)], pm.Memmap(page));
            if (colourFree)
            {
                Assert.Equal(node, page / PagesPerNode); // local while the node has room
                Assert.Equal(guestPage % 8, page % 8); // and the colour kept while the node has a page of it
            }
        }

        Assert.Equal(given.Count, pm.MachinePagesInUse);
    }

    [Fact]
    public void A_page_manager_loaded_from_its_checkpoint_goes_on_exactly_as_the_original()
    {
        var r = new Random(5);
        var original = new PageManager(nodes: 2, pagesPerNode: 64, colors: 4);
        void Step(PageManager pm, Random rng, List<string> log)
        {
            int vm = rng.Next(3);
            long guestPage = rng.Next(40);
            int node = rng.Next(2);
            switch (rng.Next(4))
            {
                case 0:
                    log.Add($"T {pm.Translate(vm, guestPage, node)}");
                    break;
                case 1:
                    log.Add($"B {pm.MapBlock(vm, guestPage, 0, rng.Next(10) * 8L, node)}");
                    break;
                case 2 when pm.Pmap(vm).ContainsKey(guestPage) && !pm.IsWritable(vm, guestPage):
                    log.Add($"C {pm.CopyOnWrite(vm, guestPage, node)}");
                    break;
                case 3 when pm.Pmap(vm).ContainsKey(guestPage) && !pm.IsDiskCachePage(pm.Pmap(vm)[guestPage]):
                    log.Add($"W {pm.WriteBlock(vm, guestPage, 0, 800 + (guestPage * 8), persistent: false)}");
                    break;
                default:
                    break;
            }

            Assert.Null(pm.Disagreement());
        }

        for (int i = 0; i < 150; i++)
        {
            Step(original, r, []);
        }

        byte[] saved = Save(original);
        var loaded = new PageManager(nodes: 2, pagesPerNode: 64, colors: 4);
        var reader = new StateReader(saved);
        var loading = StateIo.Loading(reader);
        loaded.DeclareState(ref loading);
        Assert.True(loading.FinishLoading().End, "the page manager's checkpoint is read to its end");
        Assert.Equal(saved, Save(loaded));
        Assert.Null(loaded.Disagreement());

        var (goesOn, resumed) = (new List<string>(), new List<string>());
        var (r1, r2) = (new Random(6), new Random(6));
        for (int i = 0; i < 150; i++)
        {
            Step(original, r1, goesOn);
            Step(loaded, r2, resumed);
        }

        Assert.Equal(goesOn, resumed);
        Assert.Equal(original.MachinePagesInUse, loaded.MachinePagesInUse);
    }

    private static byte[] Save(PageManager pm)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var saving = StateIo.Saving(new StateWriter(buffer));
        pm.DeclareState(ref saving);
        var writer = saving.FinishSaving();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void The_second_level_TLB_keeps_address_spaces_apart_and_flushes_one()
    {
        var l2 = new SecondLevelTlb(4096);
        for (long vpn = 0; vpn < 512; vpn++)
        {
            l2.Insert(1, vpn, 1000 + vpn, writable: true);
            l2.Insert(2, vpn, 5000 + vpn, writable: false);
        }

        int hits = 0;
        for (long vpn = 0; vpn < 512; vpn++)
        {
            if (l2.TryLookup(1, vpn, out long p1, out bool w1))
            {
                hits++;
                Assert.Equal(1000 + vpn, p1);
                Assert.True(w1);
            }

            if (l2.TryLookup(2, vpn, out long p2, out bool w2))
            {
                Assert.Equal(5000 + vpn, p2);
                Assert.False(w2);
            }
        }

        Assert.True(hits > 400, $"{hits} of 512 kept: 1024 entries in 4096 slots should mostly not collide");
        l2.FlushAsid(1);
        Assert.All(Enumerable.Range(0, 512), vpn => Assert.False(l2.TryLookup(1, vpn, out _, out _)));
        Assert.Contains(Enumerable.Range(0, 512), vpn => l2.TryLookup(2, vpn, out _, out _));
    }
}
