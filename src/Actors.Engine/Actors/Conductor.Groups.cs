using Akka.Actor;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// The conductor's side of the two-level conductor (<see cref="GroupConductor"/>): with more partitions than peer
/// windows take, all in this process, the partitions are split into contiguous groups (<see cref="DefaultGroups"/>)
/// and the conductor talks to the groups only. The book, the windows and every boundary are the same as with the
/// partitions reporting one by one: a group's report carries its members' rows and what they sent where.
/// </summary>
internal sealed partial class Conductor
{
    /// <summary>Group g holds partitions [_groupFirst[g], _groupFirst[g + 1]); empty: no groups (one-level conductor).</summary>
    private int[] _groupFirst = [];
    private int[] _groupOf = [];
    private IActorRef[] _groups = [];

    // Batches a group relayed for a partition of another group, held until the conductor next writes to that group.
    private List<EventBatch>[] _groupHeld = [];
    private List<int>[] _groupHeldTo = [];

    // Engine messages the groups send (opens, reports, boundaries): counted here, where they are decided.
    private long _groupsSent;

    private bool Grouped => _groups.Length > 0;

    /// <summary>
    /// Groups when none are asked for. Not the thread count: the groups decide how many engine messages a run sends,
    /// and that stays a function of the model. 16 is a multiple of every thread count up to 16, so each thread's
    /// groups and their members share it (see <see cref="CreateGroups"/>); 32 messages a window for the conductor.
    /// </summary>
    public const int DefaultGroups = 16;

    /// <summary>How many groups: none with peer windows or remote partitions, else the asked count (0: <see cref="DefaultGroups"/>), at most one per partition.</summary>
    private static int GroupCount(int partitions, bool peer, bool remote, int asked) =>
        peer || remote || partitions == 0 ? 0 : Math.Clamp(asked > 0 ? asked : DefaultGroups, 1, partitions);

    /// <summary>
    /// Creates the groups, then their members in turn (member 0 of each group, member 1 of each...): the spinning
    /// executor gives actors their home threads round-robin in creation order, so with one group per thread each
    /// group's members share its thread, and a window's opens and reports stay on one core.
    /// </summary>
    private void CreateGroups(int groups)
    {
        _groupFirst = new int[groups + 1];
        _groupOf = new int[_count];
        _groups = new IActorRef[groups];
        _groupHeld = new List<EventBatch>[groups];
        _groupHeldTo = new List<int>[groups];
        for (int g = 0; g <= groups; g++)
        {
            _groupFirst[g] = (int)((long)g * _count / groups);
        }

        for (int g = 0; g < groups; g++)
        {
            int first = _groupFirst[g];
            int size = _groupFirst[g + 1] - first;
            _groupHeld[g] = [];
            _groupHeldTo[g] = [];
            _groups[g] = Context.ActorOf(GroupConductor.Props(first, size, Self, _dispatcher), $"group-{g}");
            Array.Fill(_groupOf, g, first, size);
        }

        var order = new List<int>(_count);
        for (int i = 0; order.Count < _count; i++)
        {
            for (int g = 0; g < groups; g++)
            {
                if (_groupFirst[g] + i < _groupFirst[g + 1])
                {
                    order.Add(_groupFirst[g] + i);
                }
            }
        }

        var refs = PartitionHosting.Create(Context, _model, _placement, order, Self, _dispatcher, _resume, trace: _control.Trace, windowReports: p => _groups[_groupOf[p]]);
        for (int i = 0; i < order.Count; i++)
        {
            _partitions[order[i]] = refs[i];
        }

        for (int g = 0; g < groups; g++)
        {
            Send(_groups[g], new GroupMembers(_partitions[_groupFirst[g].._groupFirst[g + 1]]));
        }
    }

    /// <summary>Window 0 through the groups: every member starts (or not, when resuming) and reports.</summary>
    private void StartGroups()
    {
        for (int g = 0; g < _groups.Length; g++)
        {
            int first = _groupFirst[g];
            int size = _groupFirst[g + 1] - first;
            Send(_groups[g], new GroupOpen(0, 0, _resume is null, [.. Enumerable.Range(first, size)], new long[size], null, null));
            _groupsSent += size;
        }

        _outstanding = _groups.Length;
    }

    private void OnGroupDone(GroupDone done)
    {
        _groupsSent++;
        _events += done.Handled;
        _timer.Ticks += done.CoordinatorTicks;
        for (int i = 0; i < done.Members.Length; i++)
        {
            int p = done.Members[i];
            _partitionEvents[p] += done.MemberHandled[i];
            _partitionBusyTicks[p] += done.MemberBusyTicks[i];
        }

        _lastHandledPs = Math.Max(_lastHandledPs, done.LastHandledPs);
        _book.Apply(done);
        if (done.Relay is { } relay)
        {
            for (int i = 0; i < relay.Length; i++)
            {
                int d = done.RelayDestinations![i];
                int g = _groupOf[d];
                _groupHeld[g].Add(relay[i]);
                _groupHeldTo[g].Add(d);
            }
        }

        if (--_outstanding == 0)
        {
            _book.Fold();
            OpenNextWindow();
        }
    }

    /// <summary>Opens window <see cref="_window"/> (already counted) in every group with a member woken before <paramref name="endPs"/>.</summary>
    private void OpenGroupWindows(long endPs)
    {
        for (int g = 0; g < _groups.Length; g++)
        {
            var members = new List<int>();
            for (int p = _groupFirst[g]; p < _groupFirst[g + 1]; p++)
            {
                if (_book.NextPs(p) < endPs)
                {
                    members.Add(p);
                }
            }

            if (members.Count == 0)
            {
                continue;
            }

            var (batches, destinations) = GroupHeld(g);
            Send(_groups[g], new GroupOpen(_window, endPs, StartComponents: false, [.. members], [.. members.Select(_book.ExpectedBatches)], batches, destinations));
            _groupsSent += members.Count;
            _outstanding++;
        }
    }

    private (EventBatch[]? Batches, int[]? Destinations) GroupHeld(int g)
    {
        if (_groupHeld[g].Count == 0)
        {
            return (null, null);
        }

        var held = (_groupHeld[g].ToArray(), _groupHeldTo[g].ToArray());
        _groupHeld[g].Clear();
        _groupHeldTo[g].Clear();
        return held;
    }

    /// <summary>A checkpoint or a collect (final or a metrics sample) to every partition, between two windows.</summary>
    private void ToEveryPartition(TakeCheckpoint? take, CollectResults? collect)
    {
        if (!Grouped)
        {
            for (int p = 0; p < _count; p++)
            {
                Send(_partitions[p], GroupConductor.ForPartition(take, collect, ExpectedBatches(p), Held(p)));
            }

            return;
        }

        for (int g = 0; g < _groups.Length; g++)
        {
            int first = _groupFirst[g];
            var expected = new long[_groupFirst[g + 1] - first];
            for (int m = 0; m < expected.Length; m++)
            {
                expected[m] = ExpectedBatches(first + m);
            }

            var (batches, destinations) = GroupHeld(g);
            Send(_groups[g], new GroupBoundary(expected, batches, destinations, take, collect));
            _groupsSent += expected.Length;
        }
    }
}
