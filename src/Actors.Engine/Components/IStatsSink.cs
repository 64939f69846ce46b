namespace Disco.Actors.Engine.Components;

/// <summary>Where a component reports its named counters and time buckets at the end of a run.</summary>
public interface IStatsSink
{
    /// <summary>Adds <paramref name="value"/> to the counter <paramref name="name"/> (dot-separated, e.g. <c>cache_misses.remote</c>).</summary>
    void Add(string name, long value);
}
