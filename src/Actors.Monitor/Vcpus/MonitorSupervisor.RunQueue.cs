using Disco.Actors.Engine.Components;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Guest;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// SMP VMs' shared run queue (<c>guest.runqueue</c>, one per VM): its messages to a part reach the part's VCPU like
/// a virtual interrupt (through the VCPU's component; delivered here at the interrupt cost when the VCPU is loaded,
/// sent back to the component when it left before they came); what the guest kernel says to the run queue goes out
/// after each handler, and before its VCPU is handed back (its outbox does not travel with the VCPU).
/// </summary>
public sealed partial class MonitorSupervisor
{
    // Built with the model, not state: VM → its run queue component.
    private readonly Dictionary<int, ComponentId> _runQueues = [];

    /// <summary>SMP VMs with a shared run queue: VM <paramref name="vm"/>'s run queue component.</summary>
    public void AddRunQueue(int vm, ComponentId runQueue) => _runQueues[vm] = runQueue;

    private static bool IsRunQueueMessage(ISimMessage message) => message is ProcessGive or RunQueueThieves or ProcessReturn;

    /// <summary>The VCPU a run-queue message is for (its part's).</summary>
    private static int RunQueueVcpu(ISimMessage message) => message switch
    {
        ProcessGive g => g.Vcpu,
        RunQueueThieves t => t.Vcpu,
        ProcessReturn r => r.Vcpu,
        _ => throw new InvalidOperationException($"monitor: {message.GetType().Name} is not a run-queue message"),
    };

    /// <summary>A run-queue message reaches the loaded VCPU's guest kernel (which may now have a process to run).</summary>
    private static void DeliverRunQueue(ISimMessage message, Vcpu v, ISupervisorContext context) => v.Kernel.OnRunQueue(message, context.LocalPs);

    /// <summary>Sends what <paramref name="v"/>'s guest kernel said to its VM's run queue, <paramref name="delayPs"/> from now.</summary>
    private void SendRunQueue(Vcpu? v, ISupervisorContext context, long delayPs)
    {
        if (v is null || _runQueues.Count == 0)
        {
            return;
        }

        foreach (var m in v.Kernel.TakeRunQueueMessages())
        {
            context.Send(_runQueues.TryGetValue(v.Vm, out var queue) ? queue : throw new InvalidOperationException($"monitor: VM {v.Vm} has no run queue"), m, delayPs);
        }
    }
}
