using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Processor;

/// <summary>An access that runs over the end of an L1 line (a trace's sizes) touches the next line too.</summary>
public class StraddlingAccessTests
{
    private static ProcessorComponent Run(params Operation[] stream)
    {
        var (model, processors, _) = TestMachine.Build(TestMachine.Small(nodes: 1), stream);
        SequentialKernel.Run(model);
        Assert.True(processors[0].IsHalted);
        return processors[0];
    }

    [Fact]
    public void An_access_inside_one_line_touches_only_that_line()
    {
        var cpu = Run(Operation.Load(120, 8), Operation.Instruction(4096 + 60, 4));
        Assert.Equal(1, cpu.Caches.L1DMisses);
        Assert.Equal(1, cpu.Caches.L1IMisses);
        Assert.Equal(1, cpu.Instructions);
    }

    [Fact]
    public void A_load_over_a_line_end_misses_in_both_lines_and_is_one_load()
    {
        var cpu = Run(Operation.Load(124, 8));
        Assert.Equal(2, cpu.Caches.L1DMisses); // L1 lines 1 and 2
        Assert.Equal(2, cpu.L2DataMisses);     // in L2 lines 0 and 1
        Assert.NotEqual(L2State.Invalid, cpu.Caches.StateOf(1));
    }

    [Fact]
    public void An_instruction_over_a_line_end_fetches_both_lines_and_is_one_instruction()
    {
        var cpu = Run(Operation.Instruction(4096 + 60, 7));
        Assert.Equal(2, cpu.Caches.L1IMisses);
        Assert.Equal(1, cpu.L2DataMisses); // one 128-byte L2 line holds both
        Assert.Equal(1, cpu.Instructions);
    }

    [Fact]
    public void A_store_over_a_line_end_writes_both_lines()
    {
        var cpu = Run(Operation.Load(250, 16), Operation.Store(250, 16));
        Assert.Equal(2, cpu.Caches.L1DMisses);
        Assert.Equal(L2State.Modified, cpu.Caches.StateOf(1));
        Assert.Equal(L2State.Modified, cpu.Caches.StateOf(2));
    }

    [Fact]
    public void An_access_over_a_page_pair_end_translates_both_pages()
    {
        long pairEnd = 2 * MachineConstants.PageSizeBytes;
        var cpu = Run(Operation.Load(pairEnd - 4, 8));
        Assert.Equal(2, cpu.Caches.L1DMisses);
        Assert.NotEqual(L2State.Invalid, cpu.Caches.StateOf((pairEnd - 4) >> 7));
        Assert.NotEqual(L2State.Invalid, cpu.Caches.StateOf(pairEnd >> 7));
    }

    [Fact]
    public void An_access_longer_than_a_line_touches_every_line_it_covers()
    {
        var cpu = Run(Operation.Store(32, 200)); // bytes 32..231: L1 lines 0 to 3
        Assert.Equal(4, cpu.Caches.L1DMisses);
    }

    [Fact]
    public void A_processor_waiting_for_the_second_line_saves_and_loads_its_pending_tail()
    {
        var p = TestMachine.Small(nodes: 1);
        // The first line's miss is back after one local miss; stop while the second one is out.
        var end = new SimTime(p.LocalMissLatencyPs + (p.LocalMissLatencyPs / 2));
        (Engine.Model.SimulationModel Model, ProcessorComponent Cpu) Build()
        {
            var builder = new MachineBuilder(p, _ => new IdentitySupervisor(new ScriptedSource([Operation.Load(124, 8), Operation.Compute(10)])));
            var model = builder.Build("straddle", end, seed: 1);
            return (model, model.Components.OfType<ProcessorComponent>().Single());
        }

        var (running, cpu) = Build();
        SequentialKernel.Run(running);
        var pending = cpu.Supervisor.Current!.Pending;
        Assert.Equal(OperationKind.LineTail, pending.Kind);
        Assert.Equal((128L, AccessKind.Load, 4), (pending.Value, pending.TailKind, pending.TailBytes));

        var (fresh, loaded) = Build();
        var bytes = ComponentState.Save(cpu);
        ComponentState.Load(loaded, bytes, fresh.Messages);
        Assert.Equal(bytes, ComponentState.Save(loaded));
        Assert.Empty(StateCoverage.Compare(cpu, loaded));
    }
}
