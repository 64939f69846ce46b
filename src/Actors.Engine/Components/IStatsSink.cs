namespace Disco.Actors.Engine.Components;

/// <summary>Where a component reports its named counters and time buckets at the end of a run.</summary>
public interface IStatsSink
{
    /// <summary>Adds <paramref name="value"/> to the counter <paramref name="name"/> (dot-separated, e.g. <c>cache_misses.remote</c>).</summary>
    void Add(string name, long value);

    /// <summary>
    /// Where to report counters that belong to component <paramref name="owner"/> although this component holds the
    /// state they come from (a processor reports the VCPU it runs): they are summed with the owner's own, under its
    /// kind. By default they stay with the reporter.
    /// </summary>
    IStatsSink On(ComponentId owner) => this;
}
