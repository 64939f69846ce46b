using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// A workload for the guest OS (PARAMETERS.md, workloads): <see cref="Jobs"/> processes, at most
/// <see cref="Parallelism"/> at once (pmake -j2 keeps two compiles running), each running one of
/// <see cref="Programs"/> programs (shared text) with the user behaviour of <see cref="Profile"/> and the file
/// activity below. Values are our choice, set per workload in config/akka.hocon.
/// </summary>
public sealed record GuestWorkload
{
    public string Kind { get; init; } = "pmake";

    public SyntheticProfile Profile { get; init; } = new();

    public int Jobs { get; init; } = 1;

    public int Parallelism { get; init; } = 1;

    public int Programs { get; init; } = 1;

    /// <summary>Input files each job opens and reads whole.</summary>
    public int FilesPerJob { get; init; }

    /// <summary>Input files are drawn from a pool this large (shared headers hit the buffer cache).</summary>
    public int DistinctFiles { get; init; } = 1;

    public int FileKb { get; init; } = 16;

    /// <summary>Bytes per read or write call, in KB (a multiple of the 4 KB page).</summary>
    public int CallKb { get; init; } = 4;

    /// <summary>Output each job writes.</summary>
    public int WriteKb { get; init; }

    /// <summary>
    /// Path lookups that open nothing (stat, access, readlink, failed opens) per input file opened, made just
    /// before its open.
    /// </summary>
    public double LookupsPerOpen { get; init; }

    /// <summary>Short system calls per million instructions.</summary>
    public double OtherSyscallsPerMillion { get; init; }

    /// <summary>Program text, the shared file and the input files are in the buffer cache at boot (no disk reads).</summary>
    public bool WarmCache { get; init; }

    /// <summary>Writes update the job's first input file in place (a database's table) instead of a new output file.</summary>
    public bool WriteInPlace { get; init; }

    /// <summary>
    /// write() returns only when the disk has the blocks (O_SYNC: a database forcing its pages); otherwise writes
    /// are delayed, as IRIX's are, and flushed after the run.
    /// </summary>
    public bool SyncWrites { get; init; }

    /// <summary>Each job first stores once to every page of its working set (radix initializing its keys): a burst of faults at the start.</summary>
    public bool TouchWorkingSet { get; init; }

    /// <summary>
    /// On an SMP guest, the jobs of the processors are the threads of one program: their anonymous memory is one
    /// shared region, and IRIX serializes faults on it with the region's semaphore (PARAMETERS.md, radix).
    /// </summary>
    public bool SharedAddressSpace { get; init; }

    public int WorkingSetPages => (int)((Profile.WorkingSetBytes + GuestLayout.PageBytes - 1) >> GuestLayout.PageShift);

    public int CallPages => Math.Max(1, CallKb / 4);

    public IEnumerable<(string Key, string Problem)> Problems()
    {
        foreach (var p in Profile.Problems())
        {
            yield return p;
        }

        if (Jobs is < 1 or > 1_000_000)
        {
            yield return ("processes", $"must be between 1 and 1000000 (got {Jobs})");
        }

        if (Parallelism < 1 || Parallelism > Math.Min(Jobs, Guest.GuestLayout.MaxProcesses))
        {
            yield return ("parallelism", $"must be between 1 and min(processes, {Guest.GuestLayout.MaxProcesses}) (got {Parallelism})");
        }

        if (Programs < 1 || Programs > Jobs)
        {
            yield return ("programs", $"must be between 1 and processes (got {Programs})");
        }

        if (FilesPerJob is < 0 or > 256 || DistinctFiles is < 1 or > 100_000)
        {
            yield return ("files-per-job", $"must be 0-256 with distinct-files 1-100000 (got {FilesPerJob}, {DistinctFiles})");
        }

        if (FileKb is < 4 or > 65536 || FileKb % 4 != 0)
        {
            yield return ("file-kb", $"must be a multiple of 4 between 4 and 65536 (got {FileKb})");
        }

        if (CallKb is < 4 or > 16 || CallKb % 4 != 0)
        {
            yield return ("call-kb", $"must be 4, 8, 12 or 16 (the I/O buffer is 16 KB; got {CallKb})");
        }

        if (WriteInPlace && (FilesPerJob < 1 || WriteKb > FileKb))
        {
            yield return ("write-in-place", $"needs an input file at least write-kb long (files-per-job {FilesPerJob}, file-kb {FileKb}, write-kb {WriteKb})");
        }

        if (WriteKb is < 0 or > 65536 || WriteKb % 4 != 0)
        {
            yield return ("write-kb", $"must be a multiple of 4 between 0 and 65536 (got {WriteKb})");
        }

        if (!(LookupsPerOpen >= 0) || LookupsPerOpen > 64)
        {
            yield return ("lookups-per-open", $"must be between 0 and 64 (got {LookupsPerOpen})");
        }

        if (!(OtherSyscallsPerMillion >= 0) || OtherSyscallsPerMillion > 1e5)
        {
            yield return ("other-syscalls-per-million", $"must be between 0 and 1e5 (got {OtherSyscallsPerMillion})");
        }
    }
}
