using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;
using Disco.Actors.Testing;
using Xunit.Abstractions;

namespace Disco.Actors.Hardware.Tests.Caches;

/// <summary>
/// The model's caches against Valgrind's cachegrind on one execution (scenarios/traces/make-cachegrind-trace.sh made
/// both files, ASLR off): the lackey trace runs on the real processor, caches, directory and memory of a one-node
/// machine with the configured geometry (the simulation's own access path: straddling accesses, retries after a
/// miss, inclusion), under a supervisor that maps pages to machine pages of the same cache colour and runs no code,
/// so that sets and accesses are cachegrind's. Not the trace-bare scenario: its kernel's refill handlers and page
/// zeroing go through the same caches, and its page placement changes the sets, neither of which cachegrind sees.
/// Cachegrind's conventions: an access missing in both its lines is one miss (counted per access here), a modify
/// one read (the model's store after its load hits, so misses are unaffected), and its LL does not include the L1s
/// (the model's L2 does: hence the wider tolerance).
/// </summary>
public class CachegrindComparisonTests(ITestOutputHelper output)
{
    private static string Traces => Path.Combine(Repo.Root, "scenarios", "traces");

    private static MachineParams Configured()
    {
        string defaults = File.ReadAllText(Path.Combine(Repo.Root, "config", "akka.hocon"));
        return MachineConfig.ReadMachine(SimConfig.Load(defaults, "akka.hocon", null, null, []));
    }

    [Fact]
    public void Cachegrind_simulated_the_configured_geometry()
    {
        var configured = Configured();
        var cg = CachegrindSummary.Read(Path.Combine(Traces, "true.cachegrind.out"));
        Assert.Equal(configured.L1, cg.I1);
        Assert.Equal(configured.L1, cg.D1);
        Assert.Equal(configured.L2, cg.LL);
    }

    [Fact]
    public void The_model_misses_as_cachegrind_on_the_same_execution()
    {
        var configured = Configured();
        var cg = CachegrindSummary.Read(Path.Combine(Traces, "true.cachegrind.out"));
        var p = new MachineParams { Nodes = 1, MemoryBytes = 64L << 20, Disks = 0, HotPageThreshold = 0, L1 = configured.L1, L2 = configured.L2 };
        long colourBytes = Math.Max(p.L1.SizeBytes / p.L1.Associativity, p.L2.SizeBytes / p.L2.Associativity);
        using var trace = new LackeyTraceSource(Path.Combine(Traces, "true.lackey"));
        var counting = new AccessMissCountingSource(trace);
        var model = new MachineBuilder(p, _ => new ColouredPageSupervisor(counting, colourBytes, p.TotalPages / 2)).Build("cachegrind", SimTime.Infinity, seed: 1);
        var cpu = model.Components.OfType<ProcessorComponent>().Single();
        counting.Processor = cpu;

        SequentialKernel.Run(model);

        Assert.True(cpu.IsHalted);
        Assert.Equal(cg["Ir"], cpu.Instructions); // the same execution, instruction for instruction
        long l1i = cg["I1mr"], l1d = cg["D1mr"] + cg["D1mw"], ll = cg["ILmr"] + cg["DLmr"] + cg["DLmw"];
        output.WriteLine($"L1I misses: model {counting.L1IAccessMisses} (lines {cpu.Caches.L1IMisses}), cachegrind {l1i}");
        output.WriteLine($"L1D misses: model {counting.L1DAccessMisses} (lines {cpu.Caches.L1DMisses}), cachegrind {l1d}");
        output.WriteLine($"L2 misses: model {counting.L2AccessMisses} (lines {cpu.L2DataMisses}), cachegrind LL {ll}");
        output.WriteLine($"accesses missing in both lines: {counting.DoubleLineMisses}");
        Assert.True(counting.DoubleLineMisses > 0, "the trace should have accesses whose two lines both miss (cachegrind counts them once)");
        AssertWithin(l1i, counting.L1IAccessMisses, 0.01, "L1I");
        AssertWithin(l1d, counting.L1DAccessMisses, 0.01, "L1D");
        AssertWithin(ll, counting.L2AccessMisses, 0.03, "L2");
    }

    private static void AssertWithin(long expected, long actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * expected, $"{what}: model {actual}, cachegrind {expected}: more than {tolerance:P0} apart");
}
