using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.Kernel;

/// <summary>
/// A timed message in flight. Events are handled in (time, sender, sequence) order; the sender's sequence number is
/// unique per sender, so that order is total and does not depend on who hosts whom.
/// </summary>
public readonly struct Event
{
    public Event(long timePs, int sender, long sequence, int target, ISimMessage message)
    {
        TimePs = timePs;
        Sender = sender;
        Sequence = sequence;
        Target = target;
        Message = message;
    }

    public long TimePs { get; }

    public int Sender { get; }

    public long Sequence { get; }

    public int Target { get; }

    public ISimMessage Message { get; }

    /// <summary>True when this event must be handled before <paramref name="other"/>.</summary>
    public bool Precedes(in Event other) =>
        TimePs != other.TimePs ? TimePs < other.TimePs
        : Sender != other.Sender ? Sender < other.Sender
        : Sequence < other.Sequence;

    public override string ToString() => $"t={TimePs}ps {Sender}#{Sequence} -> {Target}: {Message.GetType().Name}";
}
