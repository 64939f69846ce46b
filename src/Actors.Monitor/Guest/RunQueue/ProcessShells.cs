using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// How an SMP guest's processes are built, whichever part holds them: job j of part k draws its stream from part k's
/// seed, as a uniprocessor VM k would. A process that moved, or is on its way, is read back into such a shell.
/// </summary>
public sealed class ProcessShells
{
    private readonly GuestWorkload _w;
    private readonly long[] _seeds;

    public ProcessShells(GuestWorkload workload, IReadOnlyList<long> seeds)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(seeds);
        _w = workload;
        _seeds = [.. seeds];
    }

    public int Parts => _seeds.Length;

    public GuestProcess Shell(int home, int asid, int job) => new(asid, job, job % _w.Programs, new GuestProgramSource(_w, _seeds[home], job), home);
}
