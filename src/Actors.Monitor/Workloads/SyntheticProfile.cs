namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// A synthetic process's character: how much it runs, its code and data footprints, its locality, its read/write
/// mix and how much it shares with the other processes of its workload. Values are our choice, set per workload in
/// config/akka.hocon (disco.workload.engineering, disco.workload.raytrace) to match the characters PARAMETERS.md
/// gives: engineering multiprogrammed with large working sets and a high TLB miss rate, raytrace parallel over a
/// large read-shared scene.
/// </summary>
public sealed record SyntheticProfile
{
    /// <summary>Instructions the process executes before it exits.</summary>
    public long Instructions { get; init; } = 1_000_000;

    public long CodeBytes { get; init; } = 256 << 10;

    /// <summary>Mean instructions per basic block (geometric).</summary>
    public double BlockInstructions { get; init; } = 6;

    /// <summary>Probability that a jump lands in the hot eighth of the code.</summary>
    public double CodeLocality { get; init; } = 0.9;

    /// <summary>Loads and stores per instruction.</summary>
    public double MemoryOpsPerInstruction { get; init; } = 0.35;

    public double StoreFraction { get; init; } = 0.3;

    /// <summary>Private data footprint of the process.</summary>
    public long WorkingSetBytes { get; init; } = 4 << 20;

    /// <summary>Probability that a private access follows the previous one (next 8 bytes): spatial locality.</summary>
    public double Sequential { get; init; } = 0.5;

    /// <summary>Fraction of the working set that is hot.</summary>
    public double HotFraction { get; init; } = 0.1;

    /// <summary>Probability that a non-sequential private access goes to the hot part.</summary>
    public double HotShare { get; init; } = 0.7;

    /// <summary>A region mapped by every process of the workload to the same machine pages (0: none).</summary>
    public long SharedBytes { get; init; }

    /// <summary>Probability that a data access goes to the shared region.</summary>
    public double SharedShare { get; init; }

    public double SharedStoreFraction { get; init; }

    /// <summary>Probability that a shared access follows the previous one.</summary>
    public double SharedSequential { get; init; } = 0.5;

    /// <summary>System calls (privileged operations) per million instructions.</summary>
    public double SyscallsPerMillion { get; init; }

    /// <summary>File reads from disk per million instructions.</summary>
    public double DiskReadsPerMillion { get; init; }

    /// <summary>Pages per file read.</summary>
    public int DiskReadPages { get; init; } = 4;

    /// <summary>Every problem with these values (empty when valid), each naming its key.</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (Instructions < 1)
        {
            yield return ("instructions", $"must be at least 1 (got {Instructions})");
        }

        foreach (var (key, bytes) in new (string, long)[] { ("code-kb", CodeBytes), ("working-set-kb", WorkingSetBytes) })
        {
            if (bytes < 4096 || bytes > (1L << 36))
            {
                yield return (key, $"must be between 4 KB and 64 GB (got {bytes} bytes)");
            }
        }

        if (SharedBytes < 0 || SharedBytes > (1L << 36) || (SharedBytes > 0 && SharedBytes < 4096))
        {
            yield return ("shared-kb", $"must be 0 or between 4 KB and 64 GB (got {SharedBytes} bytes)");
        }

        if (!(BlockInstructions >= 1) || BlockInstructions > 1e6)
        {
            yield return ("block-instructions", $"must be between 1 and 1e6 (got {BlockInstructions})");
        }

        if (!(MemoryOpsPerInstruction >= 0) || MemoryOpsPerInstruction > 4)
        {
            yield return ("memory-ops-per-instruction", $"must be between 0 and 4 (got {MemoryOpsPerInstruction})");
        }

        foreach (var (key, p) in new (string, double)[]
        {
            ("code-locality", CodeLocality), ("store-fraction", StoreFraction), ("sequential", Sequential), ("hot-fraction", HotFraction),
            ("hot-share", HotShare), ("shared-share", SharedShare), ("shared-store-fraction", SharedStoreFraction), ("shared-sequential", SharedSequential),
        })
        {
            if (!(p >= 0 && p <= 1))
            {
                yield return (key, $"must be a probability in [0, 1] (got {p})");
            }
        }

        if (SharedShare > 0 && SharedBytes == 0)
        {
            yield return ("shared-share", "needs a shared region (shared-kb > 0)");
        }

        foreach (var (key, rate) in new (string, double)[] { ("syscalls-per-million", SyscallsPerMillion), ("disk-reads-per-million", DiskReadsPerMillion) })
        {
            if (!(rate >= 0) || rate > 1e6)
            {
                yield return (key, $"must be between 0 and 1e6 (got {rate})");
            }
        }

        if (DiskReadPages is < 1 or > 64)
        {
            yield return ("disk-read-pages", $"must be between 1 and 64 (got {DiskReadPages})");
        }
    }
}
