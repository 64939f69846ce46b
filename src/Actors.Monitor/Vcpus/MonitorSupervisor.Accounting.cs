using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>Charging the processor's time to the VCPU that ran: by bucket, and by work (Table 2's split).</summary>
public sealed partial class MonitorSupervisor
{
    /// <summary>
    /// Charges the processor's time since the last trap to the VCPU that was running (per-VM time breakdown). Traps
    /// come at least every quantum, so at most the last quantum of a run goes uncharged.
    /// </summary>
    private void Account(ISupervisorContext context)
    {
        var time = context.TimePs;
        var running = CurrentVcpu;
        if (running is not null)
        {
            SplitWork(running.WorkPs, time, context.StallByModePs);
        }

        for (var bucket = CpuTimeBucket.User; bucket <= CpuTimeBucket.Stall; bucket++)
        {
            int b = (int)bucket;
            if (running is not null)
            {
                running.TimePs[b] += time[b] - _seenPs[b];
            }

            _seenPs[b] = time[b];
        }

        for (int mode = 0; mode < _seenStallPs.Length; mode++)
        {
            _seenStallPs[mode] = context.StallByModePs[mode];
        }

        _lastCostPs = 0;
        _work = MonitorWork.TrapsAndInterrupts;
        _waitWork = MonitorWork.MonitorCallsAndPageFaults;
    }

    /// <summary>
    /// The time since the last trap by work: kernel and user by their buckets (stall by the mode that stalled), the
    /// monitor's by the last handler: its cost and the stall of its code and data lines to its work, a wait it
    /// started to the wait's, the monitor's own code paths to monitor calls.
    /// </summary>
    private void SplitWork(long[] work, IReadOnlyList<long> time, IReadOnlyList<long> stallByMode)
    {
        long Delta(CpuTimeBucket b) => time[(int)b] - _seenPs[(int)b];
        long Stall(ExecutionMode m) => stallByMode[(int)m] - _seenStallPs[(int)m];
        work[(int)MonitorWork.KernelExecution] += Delta(CpuTimeBucket.Kernel) + Stall(ExecutionMode.Kernel);
        work[(int)MonitorWork.UserAndIdle] += Delta(CpuTimeBucket.User) + Stall(ExecutionMode.User) + Delta(CpuTimeBucket.Idle);
        long monitor = Delta(CpuTimeBucket.Monitor);
        long own = Math.Min(monitor, _lastCostPs);
        work[(int)_lastWork] += own;
        // Beyond the handler's cost: the wait it started, or the monitor's own code paths (page zeroing, a monitor
        // call's work), which run on after it, through later traps.
        work[(int)(_lastWaited ? _lastWaitWork : MonitorWork.MonitorCallsAndPageFaults)] += monitor - own;
        // The monitor's stall: the last handler's own lines (its misses are its cost), else its code paths'.
        work[(int)(_lastFootprint ? _lastWork : MonitorWork.MonitorCallsAndPageFaults)] += Stall(ExecutionMode.Monitor);
    }
}
