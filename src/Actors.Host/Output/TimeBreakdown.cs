using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Host.Output;

/// <summary>
/// Where the processors' time went (<c>cpu_time_ps</c>), in the order the paper stacks its bars: idle at the bottom,
/// then user, kernel, monitor and memory stall.
/// </summary>
internal sealed class TimeBreakdown
{
    /// <summary>The display order (not the hardware's numbering): the bottom of the stack first.</summary>
    public static readonly CpuTimeBucket[] Order = [CpuTimeBucket.Idle, CpuTimeBucket.User, CpuTimeBucket.Kernel, CpuTimeBucket.Monitor, CpuTimeBucket.Stall];

    /// <summary>The names of <see cref="Order"/>, as the summary spells them.</summary>
    public static readonly string[] Buckets = [.. Order.Select(b => b.Name())];

    private readonly long[] _ps;

    /// <param name="ps">Picoseconds per bucket, in the order of <see cref="Buckets"/>.</param>
    public TimeBreakdown(IReadOnlyList<long> ps)
    {
        ArgumentNullException.ThrowIfNull(ps);
        if (ps.Count != Buckets.Length)
        {
            throw new ArgumentException($"expected {Buckets.Length} buckets, got {ps.Count}", nameof(ps));
        }

        _ps = [.. ps];
    }

    public long TotalPs => _ps.Sum();

    public long Ps(int bucket) => _ps[bucket];

    /// <summary>The bucket's share of this run's total, in percent (0 for a run with no processor time).</summary>
    public double Percent(int bucket) => TotalPs > 0 ? 100.0 * _ps[bucket] / TotalPs : 0;

    /// <summary>
    /// The bucket against a reference run's total = 100, as the paper normalizes its bars; null when the reference
    /// has no processor time (a PHOLD run), where no normalization means anything.
    /// </summary>
    public double? Normalized(int bucket, TimeBreakdown reference) =>
        reference is { TotalPs: > 0 } ? 100.0 * _ps[bucket] / reference.TotalPs : null;

    public double? NormalizedTotal(TimeBreakdown reference) =>
        reference is { TotalPs: > 0 } ? 100.0 * TotalPs / reference.TotalPs : null;
}
