using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// The OS stub's model (<c>machine</c>): the machine with a <see cref="BareSupervisor"/> on every processor and the
/// page allocator after the hardware's components. It drives the hardware (checks, trace replay); it is not the
/// baseline of a bare-vs-Disco comparison: that is the guest kernel under its native supervisor.
/// </summary>
public static class BareMachine
{
    public const string ModelName = "machine";

    public static SimulationModel Build(MachineParams machine, BareOsParams os, IReadOnlyList<BareProcessSpec> processes, SimTime end, long seed)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(os);
        ArgumentNullException.ThrowIfNull(processes);
        var problem = os.Problems().FirstOrDefault();
        if (problem.Key is not null)
        {
            throw new ArgumentException($"workload.bare.{problem.Key} {problem.Problem}");
        }

        var layout = new MachineLayout(machine.Nodes, machine.Disks);
        var allocator = new ComponentId(layout.HardwareComponents);
        var supervisors = new BareSupervisor[machine.Nodes];
        var builder = new MachineBuilder(machine, n => supervisors[n] = new BareSupervisor(os, machine, layout, allocator));
        for (int pid = 0; pid < processes.Count; pid++)
        {
            var spec = processes[pid];
            if (spec.Node < 0 || spec.Node >= machine.Nodes)
            {
                throw new ArgumentException($"process {pid} is placed on node {spec.Node}, the machine has {machine.Nodes}");
            }

            supervisors[spec.Node].Add(pid, spec.Source, spec.Shared);
        }

        // The links carry the cheapest fault (a shared page that exists); a new page adds its zeroing to the reply.
        long toAllocator = os.SharedPageFaultPs / 2;
        long back = os.SharedPageFaultPs - toAllocator;
        builder.Add(new BareMemoryManager(allocator, machine, layout, os.Placement, back, os.PageFaultPs - os.SharedPageFaultPs));
        for (int n = 0; n < machine.Nodes; n++)
        {
            builder.Connect(layout.Processor(n), allocator, toAllocator);
            builder.Connect(allocator, layout.Processor(n), back);
        }

        return builder.Build(ModelName, end, seed, Register(new MessageCatalog()));
    }

    /// <summary>The bare OS's messages (the machine builder adds the hardware's).</summary>
    public static MessageCatalog Register(MessageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return catalog
            .Register<PageFault>(BareOsMessageKinds.PageFault)
            .Register<PageFaultReply>(BareOsMessageKinds.PageFaultReply);
    }
}
