using Disco.Actors.Engine.Configuration;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Tlb;

namespace Disco.Actors.Monitor.Workloads;

/// <summary>
/// Reads the workloads under disco.workload: the synthetic profile every workload kind shares, and the bare
/// machine's plan (a trace or synthetic processes). Every impossible value names its key.
/// </summary>
public static class WorkloadConfig
{
    public const string WorkloadRoot = "disco.workload.";

    /// <summary>Workload kinds the bare machine (model <c>machine</c>) runs.</summary>
    public static readonly string[] BareKinds = ["trace", "engineering", "raytrace"];

    /// <summary>
    /// The profile keys under <paramref name="at"/> (e.g. disco.workload.engineering.), without its OS rates
    /// (system calls, disk reads), which only the bare stub draws from the profile. Not validated here: each caller
    /// checks it with the rest of its workload, in its own order.
    /// </summary>
    public static SyntheticProfile ReadProfile(SimConfig config, string at)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new SyntheticProfile
        {
            Instructions = config.GetLong(at + "instructions"),
            CodeBytes = config.GetLong(at + "code-kb", 0, 1L << 26) << 10,
            BlockInstructions = config.GetDouble(at + "block-instructions"),
            CodeLocality = config.GetDouble(at + "code-locality"),
            MemoryOpsPerInstruction = config.GetDouble(at + "memory-ops-per-instruction"),
            StoreFraction = config.GetDouble(at + "store-fraction"),
            WorkingSetBytes = config.GetLong(at + "working-set-kb", 0, 1L << 26) << 10,
            Sequential = config.GetDouble(at + "sequential"),
            HotFraction = config.GetDouble(at + "hot-fraction"),
            HotShare = config.GetDouble(at + "hot-share"),
            SharedBytes = config.GetLong(at + "shared-kb", 0, 1L << 26) << 10,
            SharedShare = config.GetDouble(at + "shared-share"),
            SharedStoreFraction = config.GetDouble(at + "shared-store-fraction"),
            SharedSequential = config.GetDouble(at + "shared-sequential"),
        };
    }

    /// <summary>What the bare machine runs: disco.workload.kind = trace (with .trace) or a synthetic kind.</summary>
    public static WorkloadPlan ReadPlan(SimConfig config, MachineParams machine)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(machine);
        string kind = config.GetOneOf(WorkloadRoot + "kind", BareKinds);
        if (kind == "trace")
        {
            string path = config.GetString(WorkloadRoot + "trace");
            if (path.Length == 0)
            {
                throw config.Error(WorkloadRoot + "trace", "names no trace file (workload.kind = trace needs one)");
            }

            if (!System.IO.File.Exists(path))
            {
                throw config.Error(WorkloadRoot + "trace", $"trace file '{path}' not found (paths are relative to the current directory)");
            }

            return new WorkloadPlan(kind, path, null, 1, 1);
        }

        string at = WorkloadRoot + kind + ".";
        var profile = ReadProfile(config, at) with
        {
            SyscallsPerMillion = config.GetDouble(at + "syscalls-per-million"),
            DiskReadsPerMillion = config.GetDouble(at + "disk-reads-per-million"),
            DiskReadPages = config.GetInt(at + "disk-read-pages"),
        };
        foreach (var (key, problem) in profile.Problems())
        {
            throw config.Error(at + key, problem);
        }

        int processes = config.GetInt(at + "processes", 1, machine.Nodes * (TlbEntry.MaxAsid + 1));
        int programs = config.GetInt(at + "programs", 1, processes);
        return new WorkloadPlan(kind, null, profile, processes, programs);
    }
}
