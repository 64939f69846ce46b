using Disco.Actors.Monitor.BareOs;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// What runs on the bare machine: a trace replayed by one process on node 0, or <see cref="Processes"/> synthetic
/// processes placed round robin over the nodes. Processes of one program (process number mod <see cref="Programs"/>)
/// share their code pages; all processes share the profile's shared region.
/// </summary>
public sealed record WorkloadPlan(string Kind, string? TracePath, SyntheticProfile? Profile, int Processes, int Programs)
{
    /// <summary>Segment number of the workload's shared data region (code segments are the program numbers).</summary>
    public const int SharedDataSegment = 1 << 20;

    /// <summary>Fresh streams (a model is built anew for every run: streams carry state).</summary>
    public IReadOnlyList<BareProcessSpec> CreateProcesses(int nodes, long seed)
    {
        if (TracePath is not null)
        {
            return [new BareProcessSpec(0, new LackeyTraceSource(TracePath), [])];
        }

        var profile = Profile ?? throw new InvalidOperationException("a synthetic workload needs a profile");
        var specs = new List<BareProcessSpec>(Processes);
        for (int k = 0; k < Processes; k++)
        {
            var shared = new List<SharedRegion> { new(SyntheticSource.CodeBase, profile.CodeBytes, k % Programs) };
            if (profile.SharedBytes > 0)
            {
                shared.Add(new SharedRegion(SyntheticSource.SharedBase, profile.SharedBytes, SharedDataSegment));
            }

            specs.Add(new BareProcessSpec(k % nodes, new SyntheticSource(profile, seed, k), shared));
        }

        return specs;
    }
}
