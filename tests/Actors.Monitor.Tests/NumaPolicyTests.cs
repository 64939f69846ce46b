using Disco.Actors.Engine.State;
using Disco.Actors.Monitor.Numa;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>[V]'s policy on hot pages, decision by decision.</summary>
public class NumaPolicyTests
{
    private const long Interval = 100_000_000_000; // 100 ms
    private static readonly NumaParams Defaults = new() { Enabled = true };

    private static HotPage Hot(int hotNode, int[] misses, int writes = 0, int pageNode = 0, params int[] replicas) =>
        new(Page: 7, hotNode, misses, writes, pageNode, replicas);

    /// <summary>Decides, and carries out a move as the monitor would.</summary>
    private static NumaAction Act(NumaPolicy policy, HotPage hot, long nowPs)
    {
        var action = policy.Decide(hot, nowPs);
        if (action is NumaAction.Migrate or NumaAction.Replicate)
        {
            policy.Moving(hot, action, nowPs);
        }

        return action;
    }

    [Fact]
    public void A_decision_the_monitor_does_not_carry_out_does_not_count_against_the_page()
    {
        var policy = new NumaPolicy(Defaults, Interval);
        Assert.Equal(NumaAction.Migrate, policy.Decide(Hot(1, [0, 128], pageNode: 0), 10));
        Assert.Equal(NumaAction.Migrate, policy.Decide(Hot(1, [0, 128], pageNode: 0), 20));
        Assert.Equal(2, policy.Decisions(NumaAction.Migrate));
    }

    [Fact]
    public void A_page_missed_by_one_remote_node_migrates_there()
    {
        var policy = new NumaPolicy(Defaults, Interval);
        Assert.Equal(NumaAction.Migrate, policy.Decide(Hot(2, [0, 0, 128, 31]), 0));
        Assert.Equal(1, policy.Decisions(NumaAction.Migrate));
    }

    [Fact]
    public void A_page_read_by_several_nodes_is_replicated_and_a_write_shared_one_stays()
    {
        Assert.Equal(NumaAction.Replicate, new NumaPolicy(Defaults, Interval).Decide(Hot(2, [40, 0, 128, 0], writes: 1), 0));
        Assert.Equal(NumaAction.WriteShared, new NumaPolicy(Defaults, Interval).Decide(Hot(2, [40, 0, 128, 0], writes: 2), 0));
    }

    [Fact]
    public void A_node_that_has_the_page_or_a_replica_needs_nothing()
    {
        var policy = new NumaPolicy(Defaults, Interval);
        Assert.Equal(NumaAction.AlreadyLocal, policy.Decide(Hot(0, [128, 0], pageNode: 0), 0));
        Assert.Equal(NumaAction.AlreadyLocal, policy.Decide(Hot(1, [40, 128], pageNode: 0, replicas: 1), 0));
    }

    [Fact]
    public void A_page_moves_at_most_move_limit_times_per_interval()
    {
        var policy = new NumaPolicy(Defaults with { MoveLimit = 2 }, Interval);
        Assert.Equal(NumaAction.Migrate, Act(policy, Hot(1, [0, 128, 0], pageNode: 0), 10));
        Assert.Equal(NumaAction.Migrate, Act(policy, Hot(2, [0, 0, 128], pageNode: 1), 20));
        Assert.Equal(NumaAction.MoveLimited, Act(policy, Hot(0, [128, 0, 0], pageNode: 2), 30));

        // The next interval starts afresh.
        Assert.Equal(NumaAction.Migrate, Act(policy, Hot(0, [128, 0, 0], pageNode: 2), Interval + 30));
    }

    [Fact]
    public void A_page_that_keeps_bouncing_is_frozen_for_a_while()
    {
        var p = Defaults with { BounceLimit = 2, FreezePs = 5 * Interval };
        var policy = new NumaPolicy(p, Interval);
        long t = 0;
        int on = 0;
        int moves = 0;

        // Nodes 0 and 1 take turns: every migration after the first goes back where the page came from.
        for (int i = 0; i < 3; i++, t += Interval)
        {
            int hot = 1 - on;
            Assert.Equal(NumaAction.Migrate, Act(policy, Hot(hot, hot == 0 ? [128, 0] : [0, 128], pageNode: on), t));
            on = hot;
            moves++;
        }

        Assert.Equal(NumaAction.Frozen, policy.Decide(Hot(1 - on, on == 1 ? [128, 0] : [0, 128], pageNode: on), t));
        Assert.Equal(NumaAction.Frozen, policy.Decide(Hot(1 - on, on == 1 ? [128, 0] : [0, 128], pageNode: on), t + (3 * Interval)));
        Assert.Equal(NumaAction.Migrate, policy.Decide(Hot(1 - on, on == 1 ? [128, 0] : [0, 128], pageNode: on), t + (5 * Interval)));
        Assert.Equal(3, moves);
    }

    [Fact]
    public void The_history_follows_a_migrated_page_and_is_kept_in_checkpoints()
    {
        var policy = new NumaPolicy(Defaults, Interval);
        Assert.Equal(NumaAction.Migrate, Act(policy, Hot(1, [0, 128], pageNode: 0), 0));
        policy.Moved(7, 9);
        var copy = new NumaPolicy(Defaults, Interval);
        Assert.Empty(StateCoverage.Compare(policy, Load(copy, policy)));
        Assert.Equal(NumaAction.MoveLimited, copy.Decide(new HotPage(9, 0, [128, 0], 0, 1, []), 10));
    }

    private static NumaPolicy Load(NumaPolicy into, NumaPolicy from)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var saving = StateIo.Saving(new StateWriter(buffer));
        from.DeclareState(ref saving);
        saving.FinishSaving().Flush();
        var loading = StateIo.Loading(new StateReader(buffer.WrittenSpan.ToArray()));
        into.DeclareState(ref loading);
        Assert.True(loading.FinishLoading().End);
        return into;
    }

    private static Engine.Configuration.SimConfig Config(string set) =>
        Engine.Configuration.SimConfig.Load(File.ReadAllText(Path.Combine(Repo.Root, "config", "akka.hocon")), "akka.hocon", null, null, [Engine.Configuration.ConfigOverride.FromSet(set)]);

    [Theory]
    [InlineData("sharing-threshold", "0", "monitor.numa.sharing-threshold:")]
    [InlineData("move-limit", "0", "monitor.numa.move-limit:")]
    [InlineData("write-threshold", "-1", "monitor.numa.write-threshold:")]
    [InlineData("freeze", "-1ms", "monitor.numa.freeze:")]
    [InlineData("replicate", "sometimes", "monitor.numa.replicate:")]
    public void A_bad_policy_value_names_its_key(string key, string value, string named)
    {
        var ex = Assert.ThrowsAny<Exception>(() => Model.GuestConfig.ReadMonitor(Config($"monitor.numa.{key}={value}")));
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }
}
