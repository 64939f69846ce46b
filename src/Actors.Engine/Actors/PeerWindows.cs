namespace Disco.Actors.Engine.Actors;

/// <summary>
/// When partitions open their windows themselves (see <see cref="PartitionActor"/>) and how often they tell the
/// conductor. Every report goes to every partition, K² messages a window: worth it for a few partitions (one per
/// thread, the default), not for one actor per component, which keeps the conductor's windows.
/// </summary>
internal static class PeerWindows
{
    /// <summary>Most partitions that use peer windows.</summary>
    public const int MaxPartitions = 16;

    /// <summary>A partition tells the conductor where it is every this many windows (progress, stop requests).</summary>
    public const long ReportEvery = 8;

    /// <summary>How many windows past the last report the conductor lets the partitions run: also how late a stop request or a wall-clock checkpoint may come.</summary>
    public const long GrantAhead = 2 * ReportEvery;

    public static bool For(int partitions) => partitions is >= 1 and <= MaxPartitions;
}
