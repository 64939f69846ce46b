using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Model;

/// <summary>
/// The minimum delay of every message between two components. A component either may send to any component with
/// at least its default latency (PHOLD), or only over explicitly connected links (the machine's wiring). These
/// latencies are what the conservative windows rest on, so every send is checked against them.
/// </summary>
public sealed class LinkTable
{
    public const long NoLink = long.MaxValue;

    private readonly long[] _defaultPs;
    private readonly Dictionary<long, long> _pairPs = [];
    private readonly bool[] _hasPairs;

    public LinkTable(int componentCount, SimTime defaultLatency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(componentCount);
        _defaultPs = new long[componentCount];
        _hasPairs = new bool[componentCount];
        Array.Fill(_defaultPs, defaultLatency.Ps);
    }

    /// <summary>A table where components may only send over links given with <see cref="Connect"/>.</summary>
    public static LinkTable LinksOnly(int componentCount) => new(componentCount, SimTime.Infinity);

    public int ComponentCount => _defaultPs.Length;

    /// <summary>Sets the latency <paramref name="from"/> may use to any component it has no explicit link to.</summary>
    public void SetDefault(ComponentId from, SimTime latency)
    {
        RequirePositive(latency, from, from);
        _defaultPs[from.Value] = latency.Ps;
    }

    /// <summary>A one-way link with its own latency; it takes precedence over the sender's default.</summary>
    public void Connect(ComponentId from, ComponentId to, SimTime latency)
    {
        RequirePositive(latency, from, to);
        _pairPs[Key(from.Value, to.Value)] = latency.Ps;
        _hasPairs[from.Value] = true;
    }

    /// <summary>The smallest delay allowed from one component to another; <see cref="NoLink"/> if they are not linked.</summary>
    public long RequiredDelayPs(int from, int to)
    {
        if (from == to)
        {
            return 0;
        }

        if (_hasPairs[from] && _pairPs.TryGetValue(Key(from, to), out long ps))
        {
            return ps;
        }

        return _defaultPs[from];
    }

    internal long DefaultPs(int from) => _defaultPs[from];

    internal IEnumerable<(int From, int To, long LatencyPs)> ExplicitLinks()
    {
        foreach (var (key, ps) in _pairPs)
        {
            yield return ((int)(key >> 32), (int)(key & 0xFFFF_FFFF), ps);
        }
    }

    private static long Key(int from, int to) => ((long)from << 32) | (uint)to;

    private static void RequirePositive(SimTime latency, ComponentId from, ComponentId to)
    {
        if (latency.Ps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(latency), latency, $"link {from}->{to}: a link latency must be positive (it is the lookahead)");
        }
    }
}
