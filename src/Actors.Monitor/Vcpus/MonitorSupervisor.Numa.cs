using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Numa;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// Page migration on this processor [D 4.2.3]: a hot-page interrupt costs the interrupted processor the interrupt
/// and the policy's reading of the counters, and goes on to the page manager, where the policy decides; a page that
/// migrates to this node is copied here, by the monitor's own loads and stores through the caches and the memory
/// controllers, once every VCPU acknowledged its shootdown.
/// </summary>
public sealed partial class MonitorSupervisor
{
    private TrapOutcome OnHotPage(HotPageInterrupt hot, ISupervisorContext context)
    {
        _hotPages++;
        if (!_m.Numa.Enabled)
        {
            return InMonitor(0);
        }

        context.Send(_ids.PageManager, hot);
        _work = MonitorWork.MonitorCallsAndPageFaults;
        long cost = Interrupt(null) + _m.Numa.PolicyPs;
        _numaInterruptPs += cost;
        return InMonitor(cost);
    }

    /// <summary>
    /// Runs the copy as a path of the monitor's: a load of every line of the old page and a store to every line of
    /// the new one. It runs before anything else here, even while the loaded VCPU waits for the page manager (the
    /// wait goes on after it): the page manager may be holding that very answer until the copy is done.
    /// </summary>
    private TrapOutcome OnPageCopy(PageCopyRequest copy, ISupervisorContext context)
    {
        int lines = MachineConstants.PageSizeBytes / _lineBytes;
        var ops = new List<Operation>(2 * lines);
        for (int i = 0; i < lines; i++)
        {
            ops.Add(Operation.Load(LineOf(copy.From, i), 8));
            ops.Add(Operation.Store(LineOf(copy.To, i), 8));
        }

        // The path's argument names the migration (+1: 0 is a path with nothing to report, page zeroing).
        var path = new KernelPath(KernelService.OtherSyscall, ops, PathCompletion.None, copy.Migration + 1) { StartPs = context.LocalPs };
        _monitorPaths.Add(new ExecutionStream(path, ExecutionMode.Monitor, 0, kernelSegments: true));
        _work = MonitorWork.MonitorCallsAndPageFaults;
        return InMonitor(Interrupt(null));
    }

    /// <summary>A monitor path ended: a page copy tells the page manager, with how long it took here.</summary>
    private void OnMonitorPathEnd(KernelPath path, ISupervisorContext context)
    {
        if (path.Argument > 0)
        {
            context.Send(_ids.PageManager, new PageCopyDone(path.Argument - 1, context.LocalPs - path.StartPs));
        }
    }

    /// <summary>Line <paramref name="line"/> of machine page <paramref name="page"/> through the monitor's unmapped segment.</summary>
    private long LineOf(long page, int line) => MachineConstants.Kseg0Base + (page << MachineConstants.PageShift) + (line * _lineBytes);
}
