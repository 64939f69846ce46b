namespace Disco.Actors.Monitor.Numa;

/// <summary>What the policy does with a hot page. Numbers are stable: they index counters.</summary>
public enum NumaAction
{
    /// <summary>Move the page to the hot node (one node misses it).</summary>
    Migrate = 0,

    /// <summary>Copy the page to the hot node (several nodes read it, few writes).</summary>
    Replicate = 1,

    /// <summary>Leave it: several nodes write it.</summary>
    WriteShared = 2,

    /// <summary>Leave it: it moved as often as an interval allows.</summary>
    MoveLimited = 3,

    /// <summary>Leave it: it bounced and is frozen for a while.</summary>
    Frozen = 4,

    /// <summary>Leave it: the hot node already has the page (its home, or a replica).</summary>
    AlreadyLocal = 5,
}

public static class NumaActions
{
    public const int Count = 6;

    private static readonly string[] Names = ["migrate", "replicate", "write_shared", "move_limited", "frozen", "already_local"];

    public static string Name(this NumaAction action) => Names[(int)action];

    public static IReadOnlyList<string> All => Names;
}
