using Akka.Actor;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// The lower level of the two-level conductor (one actor per component, partitions in this process): a contiguous
/// group of partitions reports its windows here instead of to the conductor. The group opens its woken members,
/// gathers their reports, and sends the conductor one report a window: the members' rows of the book and what they
/// sent where. Batches between its own members stay here until the member's next open (or a
/// checkpoint or collect); batches for other groups ride in the report. So the conductor handles two messages per
/// woken group and window instead of two per woken partition, and the gathering runs on every thread.
/// </summary>
internal sealed class GroupConductor : UntypedActor
{
    private readonly int _first;
    private readonly IActorRef _conductor;
    private readonly List<EventBatch>?[] _held;
    private IActorRef[] _members = [];

    // The open window's reports, folded as they come.
    private long _window;
    private int _outstanding;
    private long _handled;
    private long _lastHandledPs;
    private readonly List<int> _reported = [];
    private readonly List<long> _nextPs = [];
    private readonly List<long> _promisePs = [];
    private readonly List<long> _memberHandled = [];
    private readonly List<long> _memberBusy = [];
    private readonly List<int> _destinations = [];
    private readonly List<long> _batchMinPs = [];
    private readonly List<long> _batchReactionPs = [];
    private readonly List<EventBatch> _relay = [];
    private readonly List<int> _relayDestinations = [];
    private readonly SampledTimer _timer = new();
    private readonly Action<object> _dispatch;

    /// <param name="first">The group's first partition; its members are the next <paramref name="size"/>.</param>
    public GroupConductor(int first, int size, IActorRef conductor)
    {
        _first = first;
        _conductor = conductor;
        _dispatch = Dispatch;
        _held = new List<EventBatch>?[size];
    }

    public static Props Props(int first, int size, IActorRef conductor, string dispatcher) =>
        Akka.Actor.Props.Create(() => new GroupConductor(first, size, conductor)).WithDispatcher(dispatcher);

    protected override void OnReceive(object message) => _timer.Run(message, _dispatch);

    private void Dispatch(object message)
    {
        switch (message)
        {
            case WindowDone done:
                OnWindowDone(done);
                break;
            case GroupOpen open:
                OnOpen(open);
                break;
            case GroupBoundary boundary:
                OnBoundary(boundary);
                break;
            case GroupMembers members:
                _members = members.Members;
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Hold(EventBatch[]? batches, int[]? destinations)
    {
        if (batches is null)
        {
            return;
        }

        for (int i = 0; i < batches.Length; i++)
        {
            HoldFor(destinations![i], batches[i]);
        }
    }

    private void HoldFor(int partition, EventBatch batch) => (_held[partition - _first] ??= []).Add(batch);

    /// <summary>The batches held for member <paramref name="m"/> (its index in the group), handed over with the message about to go there.</summary>
    private EventBatch[]? Held(int m) => TakeAll(_held[m]);

    /// <summary>Empties a list of held batches into an array (null when there are none), shared with the conductor.</summary>
    internal static EventBatch[]? TakeAll(List<EventBatch>? held)
    {
        if (held is not { Count: > 0 })
        {
            return null;
        }

        EventBatch[] batches = [.. held];
        held.Clear();
        return batches;
    }

    private void OnOpen(GroupOpen open)
    {
        Hold(open.Batches, open.BatchDestinations);
        _window = open.Window;
        _outstanding = open.Members.Length;
        for (int i = 0; i < open.Members.Length; i++)
        {
            int m = open.Members[i] - _first;
            _members[m].Tell(new OpenWindow(open.Window, open.EndPs, open.ExpectedBatches[i], open.StartComponents, Held(m)), Self);
        }
    }

    private void OnBoundary(GroupBoundary boundary)
    {
        Hold(boundary.Batches, boundary.BatchDestinations);
        for (int m = 0; m < _members.Length; m++)
        {
            _members[m].Tell(ForPartition(boundary.Checkpoint, boundary.Collect, boundary.ExpectedBatches[m], Held(m)), _conductor);
        }
    }

    /// <summary>A checkpoint request or a collect, as one partition gets it: with its own batch count and its held batches.</summary>
    internal static object ForPartition(TakeCheckpoint? take, CollectResults? collect, long expectedBatches, EventBatch[]? batches) =>
        take is not null
            ? take with { ExpectedBatches = expectedBatches, Batches = batches }
            : collect! with { ExpectedBatches = expectedBatches, Batches = batches };

    private void OnWindowDone(WindowDone done)
    {
        _handled += done.Handled;
        _lastHandledPs = Math.Max(_lastHandledPs, done.LastHandledPs);
        _reported.Add(done.Partition);
        _nextPs.Add(done.NextEventPs);
        _promisePs.Add(done.PromisePs);
        _memberHandled.Add(done.Handled);
        _memberBusy.Add(done.BusyTicks);
        int end = _first + _held.Length;
        for (int i = 0; i < done.BatchDestinations.Length; i++)
        {
            int d = done.BatchDestinations[i];
            _destinations.Add(d);
            _batchMinPs.Add(done.BatchMinPs[i]);
            _batchReactionPs.Add(done.BatchReactionPs[i]);
            var batch = done.Relay![i];
            if (d >= _first && d < end)
            {
                HoldFor(d, batch);
            }
            else
            {
                _relay.Add(batch);
                _relayDestinations.Add(d);
            }
        }

        if (--_outstanding == 0)
        {
            Report();
        }
    }

    private void Report()
    {
        var done = new GroupDone(
            _window,
            _handled,
            _lastHandledPs,
            [.. _reported],
            [.. _nextPs],
            [.. _promisePs],
            [.. _memberHandled],
            [.. _memberBusy],
            [.. _destinations],
            [.. _batchMinPs],
            [.. _batchReactionPs],
            _relay.Count > 0 ? [.. _relay] : null,
            _relay.Count > 0 ? [.. _relayDestinations] : null,
            _timer.Ticks);
        _conductor.Tell(done, Self);
        _handled = 0;
        _timer.Ticks = 0;
        _reported.Clear();
        _nextPs.Clear();
        _promisePs.Clear();
        _memberHandled.Clear();
        _memberBusy.Clear();
        _destinations.Clear();
        _batchMinPs.Clear();
        _batchReactionPs.Clear();
        _relay.Clear();
        _relayDestinations.Clear();
    }
}
