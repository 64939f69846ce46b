using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Components;

/// <summary>What a component may do while it handles a message: read the time and send timed messages.</summary>
public interface IContext
{
    /// <summary>Time of the message being handled.</summary>
    SimTime Now { get; }

    ComponentId Self { get; }

    /// <summary>
    /// Sends <paramref name="message"/> to be handled by <paramref name="target"/> at <c>Now + delay</c>.
    /// The delay must be at least the latency of the link from this component to the target (any delay ≥ 0 to itself);
    /// a shorter one is a model bug and throws <see cref="LinkLatencyViolationException"/>.
    /// </summary>
    void Send(ComponentId target, SimTime delay, ISimMessage message);
}
