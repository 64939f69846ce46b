using Disco.Actors.Engine.Configuration;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>Reads disco.workload.bare (the stub's costs and placement); every impossible value names its key.</summary>
public static class BareOsConfig
{
    public const string BareRoot = WorkloadConfig.WorkloadRoot + "bare.";

    public static BareOsParams ReadBareOs(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string b = BareRoot;
        var os = new BareOsParams
        {
            Placement = config.GetOneOf(b + "placement", "round-robin", "first-touch") == "first-touch" ? PagePlacement.FirstTouch : PagePlacement.RoundRobin,
            TlbRefillPs = config.GetSimTime(b + "tlb-refill").Ps,
            PageFaultPs = config.GetSimTime(b + "page-fault").Ps,
            SharedPageFaultPs = config.GetSimTime(b + "shared-page-fault").Ps,
            SyscallPs = config.GetSimTime(b + "syscall").Ps,
            ContextSwitchPs = config.GetSimTime(b + "context-switch").Ps,
            InterruptPs = config.GetSimTime(b + "interrupt").Ps,
            TimeSlicePs = config.GetSimTime(b + "time-slice").Ps,
        };
        foreach (var (key, problem) in os.Problems())
        {
            throw config.Error(b + key, problem);
        }

        return os;
    }
}
