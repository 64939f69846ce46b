using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Processor;

/// <summary>A spin lock whose word lives in a cache line: the acquire, the spin and the release go through the caches and the directory.</summary>
public class SpinLockTests
{
    private const long Enter = 1;
    private const long Leave = 2;

    /// <summary>Each processor takes the lock <paramref name="rounds"/> times around a critical section of <paramref name="sectionInstructions"/>.</summary>
    private static Operation[] Contender(long lockAddress, int rounds, int sectionInstructions, int delay)
    {
        var ops = new List<Operation> { Operation.Compute(1 + delay) };
        for (int r = 0; r < rounds; r++)
        {
            ops.Add(Operation.Acquire(lockAddress));
            ops.Add(Operation.Privileged(Enter));
            ops.Add(Operation.Compute(sectionInstructions));
            ops.Add(Operation.Privileged(Leave));
            ops.Add(Operation.Release(lockAddress));
            ops.Add(Operation.Compute(50));
        }

        return [.. ops];
    }

    private static MachineParams Params(int nodes) => TestMachine.Small(nodes) with { QuantumPs = 100_000 };

    private static (SimulationModel Model, ProcessorComponent[] Processors, IdentitySupervisor[] Supervisors) Build(int nodes, int rounds, int section = 2000)
    {
        var p = Params(nodes);
        long lockAddress = TestMachine.AddressOn(p, nodes - 1, 5, 64);
        return TestMachine.Build(p, [.. Enumerable.Range(0, nodes).Select(n => Contender(lockAddress, rounds, section, delay: n * 3))]);
    }

    private static long Stat(SimulationModel model, string name)
    {
        var sink = new Totals();
        foreach (var c in model.Components.OfType<ProcessorComponent>())
        {
            c.ReportStats(sink);
        }

        return sink.Values.GetValueOrDefault(name);
    }

    private sealed class Totals : IStatsSink
    {
        public Dictionary<string, long> Values { get; } = [];

        public void Add(string name, long value) => Values[name] = Values.GetValueOrDefault(name) + value;
    }

    [Fact]
    public void Four_contenders_each_get_the_lock_in_turn_and_never_overlap()
    {
        var (model, processors, supervisors) = Build(nodes: 4, rounds: 3);
        SequentialKernel.Run(model);
        Assert.All(processors, p => Assert.True(p.IsHalted, $"{p} did not finish: a lost wake-up"));
        Assert.Equal(12, Stat(model, "hw.lock.acquires"));
        Assert.Equal(12, Stat(model, "hw.lock.releases"));

        // Mutual exclusion: the critical sections, over all processors, are disjoint in time.
        var sections = supervisors.SelectMany(s => s.Markers.Chunk(2).Select(m => (Start: m[0].LocalPs, End: m[1].LocalPs))).OrderBy(x => x.Start).ToArray();
        Assert.Equal(12, sections.Length);
        for (int i = 1; i < sections.Length; i++)
        {
            Assert.True(sections[i].Start >= sections[i - 1].End, $"section {i} starts at {sections[i].Start}, before the one before ends at {sections[i - 1].End}");
        }
    }

    [Fact]
    public void Contention_shows_as_spins_coherence_misses_and_invalidations_of_the_spinners()
    {
        var (model, processors, _) = Build(nodes: 4, rounds: 3);
        SequentialKernel.Run(model);
        long contended = Stat(model, "hw.lock.contended");
        Assert.True(contended >= 3, $"only {contended} contended acquires");
        Assert.True(Stat(model, "hw.lock.spins") >= contended);
        Assert.True(Stat(model, "hw.lock.spin_ps") > 0);

        // The spinners' copies are invalidated by the releases (and the winners' test-and-sets), and they miss again.
        Assert.True(Stat(model, "hw.processor.invalidations") >= contended, "the release invalidates the spinners");
        long misses = Stat(model, "cache_misses.local") + Stat(model, "cache_misses.remote");
        Assert.True(misses > 12, $"{misses} misses on the lock line for 12 acquires under contention");

        // Uncontended, one processor takes the lock from its own cache after the first miss.
        var (alone, _, _) = Build(nodes: 1, rounds: 3);
        SequentialKernel.Run(alone);
        Assert.Equal(0, Stat(alone, "hw.lock.spins"));
        Assert.Equal(1, Stat(alone, "cache_misses.local") + Stat(alone, "cache_misses.remote"));
    }

    [Fact]
    public void A_longer_critical_section_makes_more_spinning()
    {
        var (shortRun, _, _) = Build(nodes: 4, rounds: 3, section: 500);
        var (longRun, _, _) = Build(nodes: 4, rounds: 3, section: 8000);
        SequentialKernel.Run(shortRun);
        SequentialKernel.Run(longRun);
        Assert.True(Stat(longRun, "hw.lock.spin_ps") > Stat(shortRun, "hw.lock.spin_ps"));
    }

    [Fact]
    public void Lock_contention_gives_the_same_digest_on_every_engine_and_layout()
    {
        var runs = EngineMatrix.RunAll(() => Build(nodes: 4, rounds: 4).Model);
        Assert.Null(EngineMatrix.Disagreement(runs));
    }

    [Fact]
    public void A_processor_stopped_while_spinning_saves_and_loads_its_spin()
    {
        var p = Params(4);
        long lockAddress = TestMachine.AddressOn(p, 1, 5, 64);
        SimulationModel Make() => new MachineBuilder(p, n => new IdentitySupervisor(new ScriptedSource(Contender(lockAddress, 3, 20_000, n * 3)))).Build("spin", SimTime.FromUs(30), seed: 1);
        var running = Make();
        SequentialKernel.Run(running);
        var hardware = running.Components.Where(c => c is ProcessorComponent or DirectoryComponent).ToArray();
        Assert.Contains(hardware.OfType<ProcessorComponent>(), c => Stat(running, "hw.lock.spins") > 0);
        var fresh = Make();
        var freshHardware = fresh.Components.Where(c => c is ProcessorComponent or DirectoryComponent).ToArray();
        for (int i = 0; i < hardware.Length; i++)
        {
            var bytes = ComponentState.Save(hardware[i]);
            ComponentState.Load(freshHardware[i], bytes, fresh.Messages);
            Assert.Equal(bytes, ComponentState.Save(freshHardware[i]));
            Assert.Empty(StateCoverage.Compare(hardware[i], freshHardware[i]));
        }
    }
}
