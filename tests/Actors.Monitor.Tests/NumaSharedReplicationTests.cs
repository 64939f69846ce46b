using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Numa;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Replication of the pages the first replication left out: the kernel's own text and data in an SMP VM (reached
/// through the monitor's kernel-segment fills), and pages several guest pages share copy-on-write (two VMs, one per
/// node, booted from the one root disk and reading the same files, which they also update in place).
/// </summary>
public class NumaSharedReplicationTests
{
    private static MachineParams Machine => GuestRuns.Machine(2) with { HotPageThreshold = 16, HotPageIntervalPs = 50_000_000_000 };

    /// <summary>Two uniprocessor VMs, one per node, running pmake over the same files of the shared root disk, updating them in place.</summary>
    internal static Engine.Model.SimulationModel TwoVms(bool numa = true, long seed = 1, int jobs = 4) => GuestMachine.Build(
        Machine,
        GuestRuns.Guest,
        GuestRuns.Pmake(jobs: jobs, warm: true) with { WriteInPlace = true },
        GuestRuns.Monitor with { Vms = 2, Numa = new NumaParams { Enabled = numa, SharingThreshold = 4 } },
        true,
        SimTime.Infinity,
        seed);

    private static string Seen(Engine.Run.RunResult r) => string.Join(", ", r.Components.SelectMany(c => c.Counters)
        .Where(kv => kv.Key.Contains("numa", StringComparison.Ordinal) || kv.Key.Contains("replica", StringComparison.Ordinal) || kv.Key.Contains("cache_misses.", StringComparison.Ordinal) || kv.Key.Contains("hot_page", StringComparison.Ordinal) || kv.Key.Contains("copy_on_write", StringComparison.Ordinal))
        .GroupBy(kv => kv.Key).Select(g => $"{g.Key}={g.Sum(kv => kv.Value)}"));

    /// <summary>
    /// Runs <paramref name="model"/> event by event, checking after each that no VCPU or processor maps a page but as
    /// the pmap does or through a live replica of it; records every replica seen, with its master's kind and mappers.
    /// </summary>
    internal static List<Seen> Watch(Engine.Model.SimulationModel model, string what)
    {
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        var seen = new Dictionary<long, Seen>();
        long events = 0;
        for (bool check = ShootdownInvariant.MayChange(model, loop); loop.RunUntil(long.MaxValue, 1) == 1; check = ShootdownInvariant.MayChange(model, loop))
        {
            events++;
            if ((check ? ShootdownInvariant.Violation(model) : null) is { } problem)
            {
                Assert.Fail($"{what}, after event {events} at {loop.Now.Ps} ps: {problem}");
            }

            if (manager.Replicas.Live == seen.Values.Count(s => s.LeftAtPs < 0))
            {
                continue;
            }

            var live = manager.Replicas.Entries.ToDictionary(e => e.Replica, e => e.Master);
            foreach (var (replica, master) in live)
            {
                if (!seen.TryGetValue(replica, out var was) || was.LeftAtPs >= 0)
                {
                    seen[replica] = new Seen(replica, master, manager.Pages.Allocator.KindOf(master), [.. manager.Pages.Memmap(master)], loop.Now.Ps);
                }
            }

            foreach (var s in seen.Values.Where(s => s.LeftAtPs < 0 && !live.ContainsKey(s.Replica)))
            {
                s.LeftAtPs = loop.Now.Ps;
            }
        }

        Assert.Null(manager.Pages.Disagreement());
        return [.. seen.Values];
    }

    [Fact]
    public void Kernel_text_is_replicated_on_a_node_that_reads_it_and_that_nodes_misses_on_it_are_local()
    {
        var model = NumaReplicationTests.Build(instructions: 500_000);
        var result = Engine.Kernel.SequentialKernel.Run(model);
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        var text = manager.Replicas.Entries.Where(e => manager.Pages.Allocator.KindOf(e.Master) == (int)GuestPageKind.KernelText).ToList();
        Assert.True(text.Count > 0, $"kernel text replicated: {Seen(result)}");

        // The replica's node reads its own copy: its directory counted that node's misses to the replica (local),
        // and every VCPU on that node that caches the text page maps the replica.
        var directories = model.Components.OfType<DirectoryComponent>().ToDictionary(d => d.Directory.Node.Value);
        int local = 0;
        foreach (var (replica, _) in text)
        {
            int node = (int)manager.Pages.Allocator.NodeOf(replica);
            local += directories[node].Directory.MissesOf(new MachinePage(replica), new NodeId(node), result.SimTimePs);
        }

        Assert.True(local > 0, $"misses of the replicas' own nodes to them: {local}");

        // VCPU k runs on node k: where its node has a replica of a text page, it is what the VCPU caches.
        int onReplica = 0;
        foreach (var v in GuestMachine.Vcpus(model))
        {
            foreach (var (g, e) in v.CachedPmap.Where(c => c.Key < GuestRuns.Guest.KernelTextPages))
            {
                Assert.True(manager.Pages.TryMapping(v.Vm, g, out long master, out _));
                if (manager.Replicas.TryReplicaOn(master, v.Index, out long replica))
                {
                    Assert.Equal(replica, e.MachinePage);
                    onReplica++;
                }
            }
        }

        Assert.True(onReplica > 0, "a VCPU caches its node's replica of a kernel text page");
    }

    /// <summary>
    /// The kernel's data, read and written by both VCPUs (every other line a path touches is a store; its stores go
    /// through the relocated kernel segment, the memlock through the hardware's lock operations): with a write
    /// threshold that lets written pages be replicated, kernel data pages are, and a store to one traps and collapses
    /// its replicas. After every event no VCPU or processor maps a replica that left the table.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_kernel_data_write_collapses_its_replicas_and_no_VCPU_keeps_a_stale_one(int seed)
    {
        var seen = Watch(NumaReplicationTests.Build(seed: seed, instructions: 150_000, sharedBytes: 128 << 10, writeThreshold: 1_000), $"seed {seed}");
        var data = seen.Where(s => s.Kind == (int)GuestPageKind.KernelData).ToList();
        Assert.True(data.Count > 0, $"seed {seed}: kernel data replicated ({seen.Count} replicas, kinds {string.Join(",", seen.Select(s => s.Kind).Distinct())})");

        // The kernel never frees or remaps its data: a replica of it leaves the table only by a store's collapse.
        Assert.True(data.Any(s => s.LeftAtPs >= 0), $"seed {seed}: a kernel data page's replicas collapsed ({data.Count} replicas of kernel data)");
    }

    /// <summary>
    /// Two VMs read the same cached blocks of the shared root disk (kernel text, program text, the files), one machine
    /// page for both: such pages are replicated to the node that misses them remotely, and both VMs' VCPUs there use
    /// the replica. A file updated in place is written: the writer gets its own copy (copy-on-write, as before) and the
    /// page's replicas go from both VMs first. After every event no VCPU or processor maps a replica that left.
    /// </summary>
    [Fact]
    public void A_page_two_VMs_share_copy_on_write_is_replicated_and_a_write_to_it_drops_its_replicas_and_gives_the_writer_a_copy()
    {
        var model = TwoVms();
        var seen = Watch(model, "two VMs");
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        var shared = seen.Where(s => s.Mappers.Select(m => m.Vm).Distinct().Count() > 1).ToList();
        Assert.True(shared.Count > 0, $"pages both VMs map replicated ({seen.Count} replicas in all)");
        Assert.True(manager.Pages.Copies > 0, "files updated in place: copy-on-write faults");

        // Written: a mapper of the shared master now maps its own copy; the master's replicas left the table.
        var written = shared.Where(s => s.Mappers.Any(m => manager.Pages.TryMapping(m.Vm, m.Page, out long now, out _) && now != s.Master)).ToList();
        Assert.True(written.Count > 0, $"a replicated shared page written ({shared.Count} shared replicas)");
        Assert.All(written, s => Assert.True(s.LeftAtPs >= 0, $"replica {s.Replica} of written page {s.Master} still in the table"));
        Assert.All(manager.Replicas.Entries, e => Assert.True(manager.Pages.MappedReadOnly(e.Master)));
    }

    /// <summary>
    /// Four VCPUs on four nodes with a write threshold that lets the kernel's written data be replicated: the page of
    /// the memlock word is replicated and collapsed again and again while VCPUs wait on the lock; every waiter gets it.
    /// </summary>
    [Fact]
    public void Kernel_data_replicated_under_the_memlocks_waiters_collapses_and_every_waiter_gets_the_lock()
    {
        var model = GuestMachine.Build(
            GuestRuns.Machine(4) with { HotPageThreshold = 16, HotPageIntervalPs = 1_000_000_000 },
            GuestRuns.Guest with { MemoryBytes = 32L << 20 },
            GuestRuns.Pmake(jobs: 8, instructions: 200_000, warm: true),
            GuestRuns.Monitor with { Vms = 1, VcpusPerVm = 4, CheckInvariants = false, Numa = new NumaParams { Enabled = true, SharingThreshold = 4, WriteThreshold = 1_000 } },
            true,
            SimTime.Infinity,
            1);
        var result = Engine.Kernel.SequentialKernel.Run(model);
        Assert.True(result.Counter("monitor.numa.collapses") > 0, Seen(result));
        Assert.True(result.Counter("hw.lock.contended") > 0, "VCPUs waited on the memlock");
        Assert.Null(model.Components.OfType<PageManagerComponent>().Single().Pages.Disagreement());
    }

    [Fact]
    public void Disco_static_takes_no_hot_page_interrupt()
    {
        var off = Engine.Kernel.SequentialKernel.Run(NumaReplicationTests.Build(numa: false, instructions: 300_000));
        var on = Engine.Kernel.SequentialKernel.Run(NumaReplicationTests.Build(instructions: 300_000));
        Assert.True(on.Counter("monitor.hot_page_interrupts") > 0, "the same run with the policy on takes them");
        Assert.Equal(0, off.Counter("monitor.hot_page_interrupts"));
        Assert.Equal(0, off.Counter("hw.dir.hot_page_interrupts"));
    }

    [Fact]
    public void Shared_and_kernel_replication_give_one_digest_on_every_engine_and_layout()
    {
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => TwoVms(), partitions: [0, 2], threads: [2])));
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => NumaReplicationTests.Build(numa: false, instructions: 300_000), partitions: [0, 2], threads: [2])));
    }

    /// <summary>Cut while a page both VMs map is being replicated, resumed on both engines.</summary>
    [Fact]
    public async Task A_run_resumed_from_a_cut_taken_during_a_shared_pages_replication_gives_the_straight_runs_digest()
    {
        var straight = Engine.Kernel.SequentialKernel.Run(TwoVms());
        var model = TwoVms();
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        bool found = false;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            if (manager.Replicas.Count > 0 && manager.Replicas.Live > 0 && manager.Replicas.Entries.Any(e => manager.Pages.Memmap(e.Master).Count > 1))
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "a replication under way after a shared page's replica is in place");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = TwoVms();
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, Engine.Kernel.SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = TwoVms();
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }
}

/// <summary>A replica seen in the table: its master, the master's kind and mappers then, and when it left (-1: still there).</summary>
internal sealed record Seen(long Replica, long Master, int Kind, List<GuestPage> Mappers, long AtPs)
{
    public long LeftAtPs { get; set; } = -1;
}
