using Akka.Actor;

namespace Disco.Actors.Engine.Actors;

/// <summary>The conductor's side of peer windows (<see cref="PeerWindows"/>): grants, and boundaries where every partition waits.</summary>
internal sealed partial class Conductor
{
    /// <summary>
    /// Peer windows: a partition's news. Now and then it says where it is (progress; the grant moves on unless the
    /// conductor holds the partitions for a stop or a wall-clock checkpoint); when every partition waits at the same
    /// window and that wait is not made moot by a grant on its way, the run is at a boundary, as between two
    /// conductor windows.
    /// </summary>
    private void OnReached(WindowReached r)
    {
        int p = r.Partition;
        _partitionEvents[p] = r.Handled;
        _partitionBusyTicks[p] = r.BusyTicks;
        _peerExpected[p] = r.ExpectedBatches;
        _lastHandledPs = Math.Max(_lastHandledPs, r.LastHandledPs);
        _reachedWindow[p] = r.Window;
        _reachedWaiting[p] = r.Waiting;
        _events = _partitionEvents.Sum();
        if (!r.Waiting)
        {
            ReportProgress(r.EarliestPs);
            if (_holding)
            {
                return;
            }

            bool wallDue = _checkpoints?.WallEvery is { } w && _wall.Elapsed - _lastCheckpointWall >= w;
            if (_control.Stop.IsCancellationRequested || wallDue)
            {
                _holding = true;
            }
            else if (r.Window + PeerWindows.GrantAhead > _grant)
            {
                Grant(r.Window + PeerWindows.GrantAhead);
            }

            return;
        }

        _reachedWaiting[p] = r.Waiting && r.Generation == _generation;
        for (int q = 0; q < _count; q++)
        {
            if (!_reachedWaiting[q] || _reachedWindow[q] != r.Window)
            {
                return;
            }
        }

        bool capped = r.EarliestPs >= Math.Min(CapPs(), _endPs);
        if (r.Window < _grant && !capped)
        {
            return;
        }

        Array.Fill(_reachedWaiting, false);
        _holding = false;
        _window = r.Window;
        _peerEarliestPs = r.EarliestPs;
        OpenNextWindow();
    }

    private void Grant(long window)
    {
        _grant = window;
        var proceed = new Proceed(_grant, CapPs(), ++_generation);
        foreach (var partition in _partitions)
        {
            Send(partition, proceed);
        }
    }

    /// <summary>Where windows must stop for the conductor: the next checkpoint or metrics sample.</summary>
    private long CapPs() => Math.Min(_nextCheckpointPs, _nextSamplePs);

    private long ExpectedBatches(int p) => _peer ? _peerExpected[p] : _book.ExpectedBatches(p);
}
