using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Hardware.Tests.Caches;

/// <summary>
/// Passes a trace through to the processor and counts misses as cachegrind does: per access, not per line. The
/// processor takes the next operation only when the previous one (with the second line of a straddling access) is
/// done, so the misses counted between two takes are that access's: one or two lines missing is one access miss.
/// </summary>
internal sealed class AccessMissCountingSource(IOperationSource inner) : IOperationSource
{
    private long _l1i;
    private long _l1d;
    private long _l2;

    /// <summary>The processor that runs this source (set once the machine is built).</summary>
    public ProcessorComponent? Processor { get; set; }

    /// <summary>L1 instruction, L1 data and L2 misses, at most one of each per access.</summary>
    public long L1IAccessMisses { get; private set; }

    public long L1DAccessMisses { get; private set; }

    public long L2AccessMisses { get; private set; }

    /// <summary>Accesses whose two lines both missed in an L1 (counted once above).</summary>
    public long DoubleLineMisses { get; private set; }

    public bool TryNext(out Operation operation)
    {
        if (Processor is { } p)
        {
            long i = p.Caches.L1IMisses - _l1i, d = p.Caches.L1DMisses - _l1d, l2 = p.L2DataMisses - _l2;
            L1IAccessMisses += Math.Min(i, 1);
            L1DAccessMisses += Math.Min(d, 1);
            L2AccessMisses += Math.Min(l2, 1);
            DoubleLineMisses += (i > 1 ? 1 : 0) + (d > 1 ? 1 : 0);
            (_l1i, _l1d, _l2) = (p.Caches.L1IMisses, p.Caches.L1DMisses, p.L2DataMisses);
        }

        return inner.TryNext(out operation);
    }

    public void DeclareState(ref StateIo io) => io.Part(inner);
}
