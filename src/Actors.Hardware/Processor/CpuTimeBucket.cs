namespace Disco.Actors.Hardware.Processor;

/// <summary>
/// Where a processor's time goes. The first three are the <see cref="ExecutionMode"/>s (same numbers), so a handler's
/// mode indexes its bucket directly; idle and memory stall follow. The numbers index every per-bucket array.
/// </summary>
public enum CpuTimeBucket
{
    User = ExecutionMode.User,
    Kernel = ExecutionMode.Kernel,
    Monitor = ExecutionMode.Monitor,
    Idle = 3,
    Stall = 4,
}

/// <summary>The names of <see cref="CpuTimeBucket"/> as statistics and the summary spell them (<c>cpu_time_ps.user</c>, ...).</summary>
public static class CpuTimeBuckets
{
    /// <summary>How many buckets there are: the length of a per-bucket array.</summary>
    public const int Count = 5;

    /// <summary>The statistic prefix of the processor's time buckets.</summary>
    public const string StatPrefix = "cpu_time_ps";

    /// <summary>Bucket names by bucket number.</summary>
    public static readonly IReadOnlyList<string> Names = ["user", "kernel", "monitor", "idle", "stall"];

    public static string Name(this CpuTimeBucket bucket) => Names[(int)bucket];

    public static CpuTimeBucket Of(ExecutionMode mode) => (CpuTimeBucket)mode;
}
