namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// Costs and policies of the bare-hardware operating system stub (an IRIX-like kernel reduced to what the
/// hardware's seam needs). Costs are our choice ([D] gives none); each is a key under disco.workload.bare.
/// </summary>
public sealed record BareOsParams
{
    public PagePlacement Placement { get; init; } = PagePlacement.RoundRobin;

    /// <summary>The TLB refill handler: trap, page-table load, tlbwr, return.</summary>
    public long TlbRefillPs { get; init; } = 100_000;

    /// <summary>A demand-zero page fault, zeroing included: the round trip to the page allocator.</summary>
    public long PageFaultPs { get; init; } = 10_000_000;

    /// <summary>A fault on a shared page that already exists (found, mapped, no zeroing): the shortest round trip.</summary>
    public long SharedPageFaultPs { get; init; } = 2_000_000;

    public long SyscallPs { get; init; } = 2_000_000;

    public long ContextSwitchPs { get; init; } = 5_000_000;

    public long InterruptPs { get; init; } = 2_000_000;

    public long TimeSlicePs { get; init; } = 10_000_000_000;

    public IEnumerable<(string Key, string Problem)> Problems()
    {
        foreach (var (key, value) in new (string, long)[]
        {
            ("tlb-refill", TlbRefillPs), ("syscall", SyscallPs), ("context-switch", ContextSwitchPs), ("interrupt", InterruptPs),
        })
        {
            if (value < 0)
            {
                yield return (key, $"must not be negative (got {value} ps)");
            }
        }

        if (SharedPageFaultPs < 2)
        {
            yield return ("shared-page-fault", $"must be at least 2 ps (it is the latency to the page allocator and back; got {SharedPageFaultPs} ps)");
        }

        if (PageFaultPs < SharedPageFaultPs)
        {
            yield return ("page-fault", $"must not be shorter than shared-page-fault ({SharedPageFaultPs} ps; got {PageFaultPs} ps)");
        }

        if (TimeSlicePs <= 0)
        {
            yield return ("time-slice", $"must be positive (got {TimeSlicePs} ps)");
        }
    }
}
