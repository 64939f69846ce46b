using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Numa;
using Disco.Actors.Monitor.Workloads;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Page replication on a two-node machine: one SMP VM of two VCPUs (one per node) runs two processes that both read
/// a shared region (raytrace's scene: a file's blocks in the disk cache, one guest page each) and their private
/// data; the scene's pages that both nodes miss are copied to the node that made them hot.
/// </summary>
public class NumaReplicationTests
{
    private static MachineParams Machine => GuestRuns.Machine(2) with { Disks = 2, HotPageThreshold = 16, HotPageIntervalPs = 50_000_000_000 };

    /// <param name="sharedStores">Fraction of scene accesses that write (0: read-only).</param>
    internal static Engine.Model.SimulationModel Build(bool replicate = true, long seed = 1, long instructions = 1_000_000, double sharedStores = 0, long sharedBytes = 2 << 20, bool numa = true, SimTime? end = null, bool anonymous = false, int writeThreshold = 1) => GuestMachine.Build(
        Machine,
        GuestRuns.Guest with { MemoryBytes = 32L << 20 },
        GuestRuns.Pmake(jobs: 2, instructions: instructions) with
        {
            Kind = "raytrace",
            Parallelism = 2,
            Programs = 1,
            FilesPerJob = 0,
            WarmCache = true,
            SharedAddressSpace = anonymous,
            Profile = new SyntheticProfile
            {
                Instructions = instructions,
                CodeBytes = 32 << 10,
                WorkingSetBytes = 64 << 10,
                SharedBytes = sharedBytes,
                SharedShare = 0.5,
                SharedStoreFraction = sharedStores,
                SharedSequential = 0.3,
            },
        },
        GuestRuns.Monitor with { Vms = 1, VcpusPerVm = 2, Numa = new NumaParams { Enabled = numa, Replicate = replicate, SharingThreshold = 4, WriteThreshold = writeThreshold } },
        true,
        end ?? SimTime.Infinity,
        seed);

    private static string Seen(Engine.Run.RunResult r) => string.Join(", ", r.Components.SelectMany(c => c.Counters)
        .Where(kv => kv.Key.Contains("numa", StringComparison.Ordinal) || kv.Key.Contains("replica", StringComparison.Ordinal) || kv.Key.Contains("cache_misses.", StringComparison.Ordinal) || kv.Key.Contains("hot_page", StringComparison.Ordinal))
        .GroupBy(kv => kv.Key).Select(g => $"{g.Key}={g.Sum(kv => kv.Value)}"));

    [Fact]
    public void A_page_read_by_two_nodes_is_replicated_and_their_misses_on_it_turn_local()
    {
        var model = Build();
        var on = Engine.Kernel.SequentialKernel.Run(model);
        var off = Engine.Kernel.SequentialKernel.Run(Build(replicate: false));

        Assert.True(on.Counter("replications") > 0, $"pages replicated: {Seen(on)}");
        Assert.Equal(0, off.Counter("replications"));
        Assert.True(on.Counter("monitor.numa.replication_copy_ps") > 0, "each copy ran on the processor, through the caches");
        Assert.True(on.Counter("cache_misses.remote") < off.Counter("cache_misses.remote"), $"remote misses {on.Counter("cache_misses.remote")} with replication vs {off.Counter("cache_misses.remote")} without; {Seen(on)}");

        // Replicas are replica pages on the node that asked, of pages one guest page maps read-only; they count in the footprint.
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        Assert.Null(manager.Pages.Disagreement());
        Assert.True(manager.Replicas.Live > 0);
        foreach (var (replica, master) in manager.Replicas.Entries)
        {
            Assert.NotEqual(manager.Pages.Allocator.NodeOf(replica), manager.Pages.Allocator.NodeOf(master));
            Assert.Equal(PageManager.ReplicaKind, manager.Pages.Allocator.KindOf(replica));
        }

        // The run ends when the guest's work does: a replication may still be under way, its page allocated.
        Assert.Equal(manager.Replicas.Live + manager.Replicas.Count, on.Counter("footprint.machine.replica"));
    }

    /// <summary>
    /// Odd seeds: the scene as anonymous memory the threads share (process pages, first written, then read) with a
    /// few stores: pages are replicated, and each store to one collapses its replicas to the one writable master.
    /// Even seeds: the scene as a mapped file (disk cache pages), read only.
    /// After every event (random region sizes, many seeds): no VCPU's cached pmap or second-level TLB and no
    /// processor's TLB maps a page but as the pmap does or through a live read-only replica of it (so no collapsed
    /// replica is mapped anywhere); and the directory's coherence invariants hold for the lines of every master and
    /// replica.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void A_write_collapses_the_replicas_and_no_replica_stays_mapped_anywhere(int seed)
    {
        var r = new System.Random(seed);
        var model = Build(seed: seed, instructions: 300_000, sharedStores: seed % 2 == 1 ? 0.0005 + (r.NextDouble() * 0.001) : 0, sharedBytes: (256 + r.Next(512)) << 10, anonymous: seed % 2 == 1);
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        long events = 0;
        for (bool check = ShootdownInvariant.MayChange(model, loop); loop.RunUntil(long.MaxValue, 1) == 1; check = ShootdownInvariant.MayChange(model, loop))
        {
            events++;
            // The coherence check walks every line of every replicated page: every 16th event keeps the test short.
            if (((check ? ShootdownInvariant.Violation(model) : null) ?? (events % 16 == 0 ? CoherenceCheck.Violation(model, Machine, manager.Replicas.Entries.SelectMany(e => new[] { e.Replica, e.Master })) : null)) is { } problem)
            {
                Assert.Fail($"seed {seed}, after event {events} at {loop.Now.Ps} ps: {problem}");
            }
        }

        Assert.Null(manager.Pages.Disagreement());
        Assert.True(manager.Replicas.Done > 0, $"seed {seed}: pages replicated");
        Assert.True(manager.Replicas.Live <= manager.Replicas.Done);
    }

    [Fact]
    public void A_store_to_a_replicated_page_collapses_it_to_one_writable_page_every_reader_maps()
    {
        var model = Build(seed: 7, instructions: 1_000_000, sharedStores: 0.001, sharedBytes: 512 << 10, anonymous: true);
        var result = Engine.Kernel.SequentialKernel.Run(model);
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        Assert.True(result.Counter("monitor.numa.collapses") > 0, $"collapses: {Seen(result)}");
        Assert.True(result.Counter("monitor.numa.replicas_freed") > 0);

        // Each VCPU's cached pmap of the region maps the pmap's page or a live replica of it; a writable entry only the master.
        foreach (var v in GuestMachine.Vcpus(model))
        {
            foreach (var (g, e) in v.CachedPmap)
            {
                Assert.True(manager.Pages.TryMapping(v.Vm, g, out long page, out bool writable));
                if (e.MachinePage != page)
                {
                    Assert.True(manager.Replicas.TryMasterOf(e.MachinePage, out long master) && master == page && !e.Writable && !writable, $"VCPU {v.Index} guest page {g} → {e.MachinePage}, pmap {page}");
                }
            }
        }
    }

    [Fact]
    public void A_page_written_by_both_nodes_is_left_alone()
    {
        // Stores on half the scene accesses: every scene page both nodes miss is written by them too. Kernel and
        // program text (disk cache pages), read by both and never written, is still replicated.
        var model = Build(seed: 3, instructions: 500_000, sharedStores: 0.5, sharedBytes: 512 << 10, anonymous: true);
        var result = Engine.Kernel.SequentialKernel.Run(model);
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        Assert.True(result.Counter("monitor.numa.decisions.write_shared") > 0, Seen(result));
        Assert.Equal(0, result.Counter("monitor.numa.collapses"));
        Assert.All(manager.Replicas.Entries, e => Assert.True(manager.Pages.IsCacheHeld(e.Master), $"replica {e.Replica} of {e.Master}, not text"));
    }

    /// <summary>Cut while a page is being replicated (its copy requested or running), resumed on both engines.</summary>
    [Fact]
    public async Task A_run_resumed_from_a_cut_taken_during_a_replication_gives_the_straight_runs_digest()
    {
        var straight = Engine.Kernel.SequentialKernel.Run(Build(instructions: 500_000));
        var model = Build(instructions: 500_000);
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        bool found = false;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            if (manager.Replicas.Count > 0 && manager.Replicas.Live > 0)
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "the run has a replication under way after others are done at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = Build(instructions: 500_000);
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, Engine.Kernel.SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = Build(instructions: 500_000);
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }

    [Fact]
    public void Replication_gives_one_digest_on_every_engine_and_layout() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => Build(instructions: 500_000), partitions: [0, 2], threads: [2])));
}
