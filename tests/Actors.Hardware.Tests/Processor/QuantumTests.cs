using Disco.Actors.Engine.Kernel;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;

namespace Disco.Actors.Hardware.Tests.Processor;

public class QuantumTests
{
    private const int StallBucket = (int)CpuTimeBucket.Stall;

    /// <summary>Processor 1 reads a line and computes; processor 0 later writes it, which needs processor 1's acknowledgement.</summary>
    private static (long WriterStall, long Events) Run(long quantumPs)
    {
        var p = TestMachine.Small() with { QuantumPs = quantumPs };
        long line = TestMachine.AddressOn(p, 0, 3);
        var (model, processors, _) = TestMachine.Build(
            p,
            [Operation.Idle(2_000_000), Operation.Store(line, 8)],
            [Operation.Load(line, 8), Operation.Compute(4000)]);
        var result = SequentialKernel.Run(model);
        return (processors[0].TimePs[StallBucket], result.Events);
    }

    [Fact]
    public void An_invalidation_that_arrives_inside_a_quantum_is_acknowledged_at_its_end()
    {
        var (exact, manyEvents) = Run(quantumPs: 1_000);
        var (coarse, fewEvents) = Run(quantumPs: 1_000_000);
        // With a 1ns quantum the reader acknowledges almost at once: the write costs a remote read-exclusive
        // (900 ns) plus the invalidation's round trip from the home to the reader's node (two network crossings).
        Assert.InRange(exact, 900_000, 900_000 + 700_000);
        // With 1us quanta the acknowledgement waits for the end of the reader's quantum: later, by less than a quantum.
        Assert.True(coarse > exact, $"{coarse} should exceed {exact}");
        Assert.True(coarse - exact < 1_000_000, $"{coarse} - {exact} should be less than one quantum");
        Assert.True(fewEvents * 10 < manyEvents, "long quanta make the computation a few events");
    }
}
