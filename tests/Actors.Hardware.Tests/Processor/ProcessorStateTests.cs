using System.Buffers;
using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Memory;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Processor;

/// <summary>Processors and node controllers stopped while lines bounce between them load what they saved.</summary>
public class ProcessorStateTests
{
    /// <summary>Four processors reading and writing the same few lines of every node, stopped at <paramref name="endPs"/>.</summary>
    private static (SimulationModel Model, Component[] Hardware) Build(long endPs)
    {
        var p = TestMachine.Small(nodes: 4) with { QuantumPs = 50_000, HotPageThreshold = 4, HotPageTarget = HotPageTarget.Home };
        var builder = new MachineBuilder(p, n =>
        {
            var ops = new List<Operation>();
            for (int i = 0; i < 200; i++)
            {
                long address = TestMachine.AddressOn(p, (n + i) % p.Nodes, i % 3, (i % 5) * 128);
                ops.Add((i + n) % 3 == 0 ? Operation.Store(address, 8) : Operation.Load(address, 8));
                ops.Add(Operation.Compute(20));
            }

            return new IdentitySupervisor(new ScriptedSource([.. ops]));
        });
        var model = builder.Build("state-test", new SimTime(endPs), seed: 1);
        return (model, [.. model.Components.Where(c => c is ProcessorComponent or DirectoryComponent or MemoryControllerComponent)]);
    }

    [Theory]
    [InlineData(20_000_000)]
    [InlineData(80_000_000)]
    public void A_processor_a_directory_and_a_memory_controller_in_the_middle_of_misses_save_load_and_save_the_same_bytes(long endPs)
    {
        var (running, hardware) = Build(endPs);
        var result = SequentialKernel.Run(running);
        Assert.True(result.Events > 100, "the run should be well under way");
        var (fresh, freshHardware) = Build(endPs);
        for (int i = 0; i < hardware.Length; i++)
        {
            var bytes = ComponentState.Save(hardware[i]);
            ComponentState.Load(freshHardware[i], bytes, fresh.Messages);
            Assert.Equal(bytes, ComponentState.Save(freshHardware[i]));
            Assert.Empty(StateCoverage.Compare(hardware[i], freshHardware[i]));
        }

        var processor = (ProcessorComponent)hardware[0];
        var loaded = (ProcessorComponent)freshHardware[0];
        Assert.Equal(processor.TimePs, loaded.TimePs);
        Assert.Equal(processor.Instructions, loaded.Instructions);
    }

    [Fact]
    public void A_processor_reports_its_counters_under_the_same_names()
    {
        var (model, hardware) = Build(80_000_000);
        SequentialKernel.Run(model);
        var sink = new Sink();
        hardware[0].ReportStats(sink);
        foreach (string name in CpuTimeBuckets.Names)
        {
            Assert.Contains($"cpu_time_ps.{name}", sink.Values.Keys);
        }

        Assert.Equal(((ProcessorComponent)hardware[0]).TimePs[(int)CpuTimeBucket.Stall], sink.Values["cpu_time_ps.stall"]);
        Assert.Equal(sink.Values["cache_misses.local"] + sink.Values["cache_misses.remote"] - sink.Values["hw.l2.upgrades"], sink.Values["hw.l2.misses"]);
        Assert.Superset(new HashSet<string> { "instructions", "hw.l1d.misses", "hw.l2.writebacks", "hw.processor.invalidations", "hw.processor.quanta" }, sink.Values.Keys.ToHashSet());
    }

    private sealed class Sink : IStatsSink
    {
        public Dictionary<string, long> Values { get; } = [];

        public void Add(string name, long value) => Values[name] = Values.GetValueOrDefault(name) + value;
    }
}
