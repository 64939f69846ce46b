using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Determinism;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Kernel;

/// <summary>
/// Runs the components of one partition on one event queue. The sequential kernel is this loop with every component
/// in one partition; a partition actor is this loop with its share, its cross-partition sends collected in outboxes
/// for the end of the window. Both hand each component its messages in (time, sender, sequence) order, the sender
/// ranked by the model's <see cref="TieOrder"/>, which is why their digests agree.
/// </summary>
public sealed class EventLoop : IContext
{
    private readonly Component[] _local;
    private readonly int[] _partitionOf;
    private readonly int[] _localIndexOf;
    private readonly int _partition;
    private readonly LinkTable _links;
    private readonly EventQueue _queue;
    private readonly Outboxes _outboxes;
    private Component? _current;
    private long _nowPs;
    private long _windowEndPs;
    private Tracing.MessageTraceBuffer? _trace;

    public EventLoop(SimulationModel model, Placement placement, int partition)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(placement);
        _partition = partition;
        _links = model.Links;
        _partitionOf = placement.PartitionOfArray;
        _localIndexOf = placement.LocalIndexOfArray;
        _local = [.. placement.Members[partition].Select(id => model.Components[id])];
        _queue = new EventQueue(Math.Max(64, _local.Length * 4), model.TieOrder);
        _outboxes = new Outboxes();
        CrossLatencyPs = placement.CrossLatencyPs[partition];
        _outputDistancePs = placement.OutputDistancePs;
        long min = long.MaxValue;
        long max = long.MinValue;
        foreach (int id in placement.Members[partition])
        {
            min = Math.Min(min, _outputDistancePs[id]);
            max = Math.Max(max, _outputDistancePs[id]);
        }

        _minOutputDistancePs = min;
        _uniformOutputDistance = min == max;
    }

    private readonly long[] _outputDistancePs;
    private readonly long _minOutputDistancePs;
    private readonly bool _uniformOutputDistance;

    /// <summary>
    /// No message this partition sends can arrive in another partition before this time, unless a message reaches
    /// it first: the least, over its pending events, of the event's time plus its component's output distance
    /// (<see cref="Model.OutputDistances"/>). With every distance equal (PHOLD) that is the next event's time plus it.
    /// </summary>
    public long PromisePs
    {
        get
        {
            if (_minOutputDistancePs == long.MaxValue || _queue.Count == 0)
            {
                return long.MaxValue;
            }

            return _uniformOutputDistance ? Plus(_queue.PeekTimePs, _minOutputDistancePs) : _queue.MinTimePlus(_outputDistancePs, _minOutputDistancePs);
        }
    }

    /// <summary>The promise a partition gains by receiving <paramref name="events"/>: the least of their times plus their targets' output distances.</summary>
    public long ReactionPs(ReadOnlySpan<Event> events)
    {
        long best = long.MaxValue;
        foreach (ref readonly var e in events)
        {
            best = Math.Min(best, Plus(e.TimePs, _outputDistancePs[e.Target]));
        }

        return best;
    }

    private static long Plus(long timePs, long addPs) =>
        addPs == long.MaxValue || timePs > long.MaxValue - addPs ? long.MaxValue : timePs + addPs;

    public int Partition => _partition;

    public IReadOnlyList<Component> Components => _local;

    /// <summary>Smallest latency of a link leaving this partition.</summary>
    public long CrossLatencyPs { get; }

    public long NextEventPs => _queue.PeekTimePs;

    public int PendingEvents => _queue.Count;

    /// <summary>Time of the last message this loop handled (0 before the first).</summary>
    public long LastHandledPs { get; private set; }

    public EventQueue Queue => _queue;

    /// <summary>Where this loop records the messages it hands to components (null: no trace, no cost but a test per event).</summary>
    public Tracing.MessageTraceBuffer? Trace
    {
        get => _trace;
        set => _trace = value;
    }

    public SimTime Now => new(_nowPs);

    public ComponentId Self => (_current ?? throw new InvalidOperationException("no component is running")).Id;

    /// <summary>Lets every component schedule its first events, at time 0.</summary>
    public void StartComponents()
    {
        _nowPs = 0;
        _windowEndPs = 0;
        foreach (var c in _local)
        {
            _current = c;
            c.Start(this);
        }

        _current = null;
    }

    /// <summary>Handles, in order, every event earlier than <paramref name="endPs"/> (at most <paramref name="maxEvents"/>). Returns how many.</summary>
    public long RunUntil(long endPs, long maxEvents = long.MaxValue)
    {
        _windowEndPs = endPs;
        var queue = _queue;
        var local = _local;
        var localIndexOf = _localIndexOf;
        var trace = _trace;
        long handled = 0;
        while (handled < maxEvents && queue.Count > 0 && queue.PeekTimePs < endPs)
        {
            Event e = queue.Pop();
            var c = local[localIndexOf[e.Target]];
            _current = c;
            _nowPs = e.TimePs;
            var m = e.Message;
            c.DigestValue = Digest.Fold(c.DigestValue, Digest.OfEvent(e.TimePs, e.Sender, e.Sequence, m.Kind, m.ContentHash()));
            trace?.Delivered(e.TimePs, e.Sender, e.Sequence, e.Target, m.Kind, c.NextSequence);
            c.Handled++;
            c.Handle(m, this);
            handled++;
        }

        if (handled > 0)
        {
            LastHandledPs = _nowPs;
        }

        _current = null;
        return handled;
    }

    public void Send(ComponentId target, SimTime delay, ISimMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = _current ?? throw new InvalidOperationException("Send outside of a handler or Start");
        int to = target.Value;
        if ((uint)to >= (uint)_partitionOf.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, $"{sender} sent {message.GetType().Name} to a component that does not exist");
        }

        long required = _links.RequiredDelayPs(sender.Id.Value, to);
        if (delay.Ps < required)
        {
            string need = required == LinkTable.NoLink ? "no link exists" : $"the link latency is {new SimTime(required)}";
            throw new LinkLatencyViolationException(
                $"{sender} sent {message.GetType().Name} to component {to} with delay {delay} at {Now}, but {need}");
        }

        long time = delay.IsInfinite || _nowPs > long.MaxValue - delay.Ps ? long.MaxValue : _nowPs + delay.Ps;
        var e = new Event(time, sender.Id.Value, sender.NextSequence++, to, message);
        int p = _partitionOf[to];
        if (p == _partition)
        {
            _queue.Push(in e);
            return;
        }

        if (time < _windowEndPs)
        {
            throw new InvalidOperationException(
                $"internal: {sender} sent to partition {p} at {new SimTime(time)}, inside the open window ending {new SimTime(_windowEndPs)}");
        }

        _outboxes.Add(p, in e);
    }

    /// <summary>Adds events that other partitions sent here.</summary>
    public void Deliver(ReadOnlySpan<Event> events)
    {
        foreach (ref readonly var e in events)
        {
            _queue.Push(in e);
        }
    }

    /// <summary>Adds an event restored from a checkpoint.</summary>
    public void Restore(in Event e) => _queue.Push(in e);

    /// <summary>
    /// The events sent to other partitions since the last drain, one batch per destination in ascending partition
    /// order. The list is reused by the next drain.
    /// </summary>
    public IReadOnlyList<OutgoingBatch> DrainOutboxes() => _outboxes.Drain();
}
