using Disco.Actors.Hardware.Caches;

namespace Disco.Actors.Hardware.Tests.Caches;

public class CacheTests
{
    private static readonly CacheGeometry L1 = new(1024, 2, 64);
    private static readonly CacheGeometry L2 = new(4096, 2, 128); // 16 sets

    [Fact]
    public void The_least_recently_used_way_is_the_victim()
    {
        var c = new SetAssociativeCache(new CacheGeometry(256, 2, 64)); // 2 sets
        c.Install(c.Victim(0), 0, 1);
        c.Install(c.Victim(2), 2, 1);
        c.Touch(c.Find(0));
        Assert.Equal(c.Find(2), c.Victim(4));   // 0 was used last: 2 goes
        c.Touch(c.Find(2));
        Assert.Equal(c.Find(0), c.Victim(4));
        Assert.Equal(-1, c.Find(1));
    }

    [Fact]
    public void A_miss_evicts_the_LRU_line_and_a_modified_victim_must_be_written_back()
    {
        var h = new CacheHierarchy(L1, L2);
        long a = 0, b = 16 * 128, c = 32 * 128; // the same L2 set
        Assert.Equal(AccessResult.Miss, h.Access(a, AccessKind.Store));
        Assert.Equal(-1, h.PrepareFill(a >> 7));
        h.CompleteFill(a, AccessKind.Store, exclusive: true);
        Assert.Equal(L2State.Modified, h.StateOf(a >> 7));
        Assert.Equal(AccessResult.Miss, h.Access(b, AccessKind.Load));
        Assert.Equal(-1, h.PrepareFill(b >> 7));
        h.CompleteFill(b, AccessKind.Load, exclusive: false);
        Assert.Equal(AccessResult.Miss, h.Access(c, AccessKind.Load));
        Assert.Equal(a >> 7, h.PrepareFill(c >> 7)); // the modified line was least recently used
        Assert.Equal(L2State.Invalid, h.StateOf(a >> 7));
        Assert.Equal(AccessResult.Miss, h.Access(a, AccessKind.Load)); // and it left the L1 too (inclusion)
    }

    [Fact]
    public void A_store_to_a_shared_line_is_an_upgrade_and_to_an_exclusive_line_a_silent_hit()
    {
        var h = new CacheHierarchy(L1, L2);
        h.PrepareFill(0);
        h.CompleteFill(0, AccessKind.Load, exclusive: false);
        Assert.Equal(AccessResult.L1Hit, h.Access(8, AccessKind.Load));
        Assert.Equal(AccessResult.Upgrade, h.Access(8, AccessKind.Store));
        h.CompleteFill(8, AccessKind.Store, exclusive: true);
        Assert.Equal(L2State.Modified, h.StateOf(0));
        Assert.Equal(AccessResult.L1Hit, h.Access(16, AccessKind.Store));

        h.PrepareFill(1);
        h.CompleteFill(128, AccessKind.Load, exclusive: true);
        Assert.Equal(L2State.Exclusive, h.StateOf(1));
        Assert.Equal(AccessResult.L1Hit, h.Access(130, AccessKind.Store));
        Assert.Equal(L2State.Modified, h.StateOf(1));
        Assert.Equal(AccessResult.L2Hit, h.Access(128 + 64, AccessKind.Store)); // other L1 half: from the L2, already writable
    }

    [Fact]
    public void A_downgrade_keeps_a_readable_copy_and_takes_the_write_permission_from_the_L1()
    {
        var h = new CacheHierarchy(L1, L2);
        h.PrepareFill(0);
        h.CompleteFill(0, AccessKind.Store, exclusive: true);
        Assert.Equal(L2State.Modified, h.Downgrade(0));
        Assert.Equal(L2State.Shared, h.StateOf(0));
        Assert.Equal(AccessResult.L1Hit, h.Access(0, AccessKind.Load));
        Assert.Equal(AccessResult.Upgrade, h.Access(0, AccessKind.Store));
    }
}
