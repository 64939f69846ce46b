using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Numa;
using Disco.Actors.Monitor.Vms;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Page migration on a two-node machine: one VM's VCPU touches its pages on node 0 (first touch places them there),
/// then moves to node 1, where its misses to them are remote; the hot-page interrupts move the pages to node 1.
/// </summary>
public class NumaMigrationTests
{
    private const long MovePs = 1_500_000_000; // 1.5 ms: the working set is in place by then

    // Counters restart every millisecond: the first touches on node 0 are an interval of their own.
    private static MachineParams Machine => GuestRuns.Machine(2) with { HotPageThreshold = 16, HotPageIntervalPs = 1_000_000_000 };

    internal static Engine.Model.SimulationModel Build(bool numa, long seed = 1, long instructions = 8_000_000, long workingSetBytes = 512 << 10, long movePs = MovePs, SimTime? end = null) => GuestMachine.Build(
        Machine,
        GuestRuns.Guest,
        GuestRuns.Pmake(jobs: 1, instructions: instructions) with { Parallelism = 1, WarmCache = true, Profile = new() { Instructions = instructions, CodeBytes = 64 << 10, WorkingSetBytes = workingSetBytes, HotShare = 0.5 } },
        GuestRuns.Monitor with { Numa = new NumaParams { Enabled = numa } },
        true,
        end ?? SimTime.Infinity,
        seed,
        [new VcpuMovePlan(movePs, Vcpu: 0, Processor: 1)]);

    [Fact]
    public void Pages_missed_only_by_a_remote_node_migrate_there_and_its_misses_turn_local()
    {
        var model = Build(numa: true);
        var moved = Engine.Kernel.SequentialKernel.Run(model);
        var still = Engine.Kernel.SequentialKernel.Run(Build(numa: false));

        string seen = string.Join(", ", moved.Components.SelectMany(c => c.Counters).Where(kv => kv.Key.Contains("hot", StringComparison.Ordinal) || kv.Key.Contains("numa", StringComparison.Ordinal) || kv.Key.Contains("misses.remote", StringComparison.Ordinal)).GroupBy(kv => kv.Key).Select(g => $"{g.Key}={g.Sum(kv => kv.Value)}"));
        Assert.True(moved.Counter("migrations") > 0, $"pages migrated: {seen}, sim {moved.SimTimePs}, in flight {model.Components.OfType<PageManagerComponent>().Single().Migrations}, shootdowns {model.Components.OfType<PageManagerComponent>().Single().Shootdowns.Count}");
        Assert.Equal(0, still.Counter("migrations"));
        Assert.True(moved.Counter("monitor.numa.migration_copy_ps") > 0, "each copy ran on the processor, through the caches");
        Assert.True(moved.Counter("cache_misses.remote") < still.Counter("cache_misses.remote"), $"remote misses {moved.Counter("cache_misses.remote")} with migration vs {still.Counter("cache_misses.remote")} without");

        // The process's pages (moved or not) went back to the monitor at its exit, and the page manager's maps
        // agree with each other.
        var pages = model.Components.OfType<PageManagerComponent>().Single().Pages;
        Assert.Null(pages.Disagreement());
        Assert.True(moved.Counter("monitor.released_pages") > 0);
        Assert.Equal(0, model.Components.OfType<PageManagerComponent>().Single().Shootdowns.Count);
    }

    /// <summary>
    /// After every event of runs with migrations (random working sets and move times): no VCPU's cached pmap or
    /// second-level TLB, and no processor's TLB, maps a page otherwise than the page manager's pmap, but for the
    /// entries whose shootdown is under way; and the page manager's maps agree with each other.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void No_VCPU_or_processor_ever_maps_a_page_that_migrated_away(int seed)
    {
        var r = new System.Random(seed);
        var model = Build(numa: true, seed, instructions: 3_000_000, workingSetBytes: (128 + r.Next(256)) << 10, movePs: 1_100_000_000 + r.Next(400_000_000));
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        long events = 0;
        for (bool check = ShootdownInvariant.MayChange(model, loop); loop.RunUntil(long.MaxValue, 1) == 1; check = ShootdownInvariant.MayChange(model, loop))
        {
            events++;
            if ((check ? ShootdownInvariant.Violation(model) : null) is { } problem)
            {
                Assert.Fail($"seed {seed}, after event {events} at {loop.Now.Ps} ps: {problem}");
            }
        }

        Assert.True(manager.Pages.Allocator.PagesInUse > 0);
        Assert.Null(manager.Pages.Disagreement());
        Assert.True(manager.Migrations == 0, $"seed {seed}: {manager.Migrations} migrations and {manager.Shootdowns.Count} shootdowns under way at the end, {manager.MigrationsDone} done, after {events} events at {loop.Now.Ps} ps");
        Assert.True(manager.MigrationsDone > 0, $"seed {seed}: pages migrated");
    }

    /// <summary>Cut while a page is being copied (its shootdown over, the copy request on its way or running), resumed on both engines.</summary>
    [Fact]
    public async Task A_run_resumed_from_a_cut_taken_during_a_migration_gives_the_straight_runs_digest()
    {
        var straight = Engine.Kernel.SequentialKernel.Run(Build(numa: true));
        var model = Build(numa: true);
        var loop = new Engine.Kernel.EventLoop(model, Engine.Model.Placement.Single(model), 0);
        loop.StartComponents();
        var manager = model.Components.OfType<PageManagerComponent>().Single();
        bool found = false;
        while (loop.RunUntil(long.MaxValue, 1) == 1)
        {
            if (manager.Migrations > 0 && manager.Shootdowns.Count == 0)
            {
                found = true;
                break;
            }
        }

        Assert.True(found, "the run has a migration past its shootdown at some event");
        byte[] image = Engine.Checkpoints.CheckpointImage.EncodePartition(loop);

        var fresh = Build(numa: true);
        var cut = Engine.Checkpoints.CheckpointImage.Decode([image], fresh);
        cut.LoadInto(fresh);
        Assert.Equal(straight.DigestHex, Engine.Kernel.SequentialKernel.Run(fresh, null, cut).DigestHex);

        var onActors = Build(numa: true);
        var cut2 = Engine.Checkpoints.CheckpointImage.Decode([image], onActors);
        cut2.LoadInto(onActors);
        var resumed = await Engine.Actors.ActorEngine.RunAsync(onActors, new Engine.Actors.ActorEngineOptions { Partitions = 2, Threads = 2 }, resume: cut2);
        Assert.Null(EngineMatrix.Disagreement([("straight", straight), ("resumed", resumed)]));
    }

    [Fact]
    public void Migration_gives_one_digest_on_every_engine_and_layout() =>
        Assert.Null(EngineMatrix.Disagreement(EngineMatrix.RunAll(() => Build(numa: true), partitions: [0, 2], threads: [2])));
}
