namespace Disco.Actors.Engine.Components;

/// <summary>
/// A message that carries a component's state on its way (a VCPU handed to a processor or back): while it is
/// pending, the counters of that state are reported on <see cref="Owner"/>'s behalf, so figures never vanish from a
/// summary or a metrics sample because a state was travelling at that moment.
/// </summary>
public interface ICarriedStats
{
    /// <summary>The component whose counters these are (they count under its kind).</summary>
    ComponentId Owner { get; }

    void ReportStats(IStatsSink sink);
}
