namespace Disco.Actors.Engine.Tracing;

/// <summary>Which handled messages a trace keeps: those received by chosen components, within a time range.</summary>
public sealed class MessageTraceFilter
{
    private readonly bool[]? _components;

    /// <param name="components">Receivers to keep, by component id; null keeps every component.</param>
    /// <param name="fromPs">Keep messages handled at or after this time.</param>
    /// <param name="toPs">Keep messages handled before this time.</param>
    public MessageTraceFilter(bool[]? components = null, long fromPs = 0, long toPs = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromPs);
        ArgumentOutOfRangeException.ThrowIfLessThan(toPs, fromPs);
        _components = components;
        FromPs = fromPs;
        ToPs = toPs;
    }

    public static MessageTraceFilter All { get; } = new();

    public long FromPs { get; }

    public long ToPs { get; }

    public bool Keeps(int target, long timePs) =>
        timePs >= FromPs && timePs < ToPs && (_components is null || ((uint)target < (uint)_components.Length && _components[target]));
}
