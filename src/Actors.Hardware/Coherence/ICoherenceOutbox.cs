using Disco.Actors.Engine.Components;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// Where the pure protocol classes put what they send: a message leaving its node at <c>leavePs</c> (the hosting
/// component adds the path latency; the property tests put it on a FIFO channel).
/// </summary>
public interface ICoherenceOutbox
{
    void Send(ComponentId target, long leavePs, ISimMessage message);
}
