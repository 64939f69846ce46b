using System.Diagnostics;
using Akka.Actor;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// Hosts one partition's components (one component by default). Thin: it waits until the batches announced for a
/// window have arrived, runs its event loop to the window's end, ships its outboxes and reports.
/// <para>
/// Two ways to learn the windows. Conductor windows: the conductor opens each (<see cref="OpenWindow"/>) and gets
/// every report. Peer windows (few partitions, <see cref="PeerWindows"/>): each partition sends its report to every
/// other, keeps the same <see cref="WindowBook"/> as the others and opens the next window itself once a window's
/// reports are in, so a window costs one message hop instead of two; it stops to wait for the conductor at the
/// window the conductor granted last or at the conductor's cap (next checkpoint or sample), telling it so.
/// </para>
/// </summary>
internal sealed class PartitionActor : UntypedActor
{
    private readonly EventLoop _loop;
    private readonly IActorRef _conductor;
    private readonly IActorRef _windowReports;
    private readonly long _endPs;
    private IActorRef[] _partitions = [];
    private readonly BatchCounter _received = new();
    private OpenWindow? _waiting;
    private TakeCheckpoint? _waitingCheckpoint;
    private CollectResults? _waitingCollect;
    private long _handled;
    private long _busyTicks;
    private long _sent;

    // Peer windows: the book every partition keeps alike, the window open (or last opened) and its reports missing.
    private WindowBook? _book;
    private long _window;
    private int _reportsPending;
    private readonly List<WindowDone> _early = [];
    private long _grant;
    private long _generation;
    private long _capPs = long.MaxValue;
    private bool _waitingForConductor;

    /// <param name="windowReports">Where conductor windows are reported: the partition's group (<see cref="GroupConductor"/>), or the conductor (null).</param>
    public PartitionActor(EventLoop loop, IActorRef conductor, long endPs, IActorRef? windowReports = null)
    {
        _loop = loop;
        _conductor = conductor;
        _windowReports = windowReports ?? conductor;
        _endPs = endPs;
    }

    public static Props Props(EventLoop loop, IActorRef conductor, string dispatcher, long endPs, IActorRef? windowReports = null) =>
        Akka.Actor.Props.Create(() => new PartitionActor(loop, conductor, endPs, windowReports)).WithDispatcher(dispatcher);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case WindowDone done:
                foreach (var b in done.Relay ?? [])
                {
                    OnBatch(b);
                }

                OnPeerReport(done);
                break;
            case Proceed proceed:
                _grant = proceed.Grant;
                _capPs = proceed.CapPs;
                _generation = proceed.Generation;
                if (_waitingForConductor)
                {
                    _waitingForConductor = false;
                    Decide();
                }

                break;
            case TakeCheckpoint take:
                Take(take.Batches);
                if (_received.Before(take.BeforeWindow) >= take.ExpectedBatches)
                {
                    SendImage(take);
                }
                else
                {
                    _waitingCheckpoint = take;
                }

                break;
            case OpenWindow open:
                Take(open.Batches);
                Open(open);
                break;
            case WirePartitions wire:
                _partitions = wire.Partitions;
                if (PeerWindows.For(_partitions.Length))
                {
                    _book = new WindowBook(_partitions.Length);
                    _reportsPending = _partitions.Length; // window 0 wakes everyone
                    DrainEarly();
                }

                break;
            case CollectResults collect:
                Take(collect.Batches);

                // Reported once every batch of the windows run so far is here: what pending messages carry counts too.
                if (_received.Before(collect.BeforeWindow) >= collect.ExpectedBatches)
                {
                    SendResults(collect);
                }
                else
                {
                    _waitingCollect = collect;
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnBatch(EventBatch batch)
    {
        Take(batch);
        if (_waiting is { } w && _received.Before(w.Window) >= w.ExpectedBatches)
        {
            _waiting = null;
            RunWindow(w);
        }
        else if (_waitingCheckpoint is { } c && _received.Before(c.BeforeWindow) >= c.ExpectedBatches)
        {
            _waitingCheckpoint = null;
            SendImage(c);
        }
        else if (_waitingCollect is { } r && _received.Before(r.BeforeWindow) >= r.ExpectedBatches)
        {
            _waitingCollect = null;
            SendResults(r);
        }
    }

    /// <summary>Events of a later window than the one to run are safe in the queue: their times are past its end.</summary>
    private void Take(EventBatch batch)
    {
        _loop.Deliver(batch.Events);
        _received.Add(batch.Window);
    }

    /// <summary>Batches the conductor relays with its message (conductor windows).</summary>
    private void Take(EventBatch[]? batches)
    {
        if (batches is null)
        {
            return;
        }

        foreach (var b in batches)
        {
            Take(b);
        }
    }

    private void SendResults(CollectResults collect) =>
        Send(_conductor, new PartitionResults(_loop.Partition, collect.SampleTimePs, StatsCollector.Report(_loop, collect.StateHashes), _sent + 1));

    /// <summary>Every engine message a partition sends goes through here, so that the run can say how many messages an event cost.</summary>
    private void Send(IActorRef to, object message)
    {
        _sent++;
        to.Tell(message, Self);
    }

    private void Open(OpenWindow open)
    {
        if (_received.Before(open.Window) >= open.ExpectedBatches)
        {
            RunWindow(open);
        }
        else
        {
            _waiting = open;
        }
    }

    private void SendImage(TakeCheckpoint take) =>
        Send(_conductor, new PartitionImage(_loop.Partition, take.Epoch, Checkpoints.CheckpointImage.EncodePartition(_loop)));

    private void RunWindow(OpenWindow open)
    {
        if (open.StartComponents)
        {
            _loop.StartComponents();
        }

        long began = Stopwatch.GetTimestamp();
        long handled = _loop.RunUntil(open.EndPs);
        var batches = _loop.DrainOutboxes();
        var destinations = new int[batches.Count];
        var minTimes = new long[batches.Count];
        var reactions = new long[batches.Count];
        // Conductor windows: the batches go with the report to the conductor, which relays them. Peer windows: each
        // goes with the report this partition sends its destination anyway.
        var relay = batches.Count > 0 ? new EventBatch[batches.Count] : null;
        for (int i = 0; i < batches.Count; i++)
        {
            var b = batches[i];
            relay![i] = new EventBatch(_loop.Partition, open.Window, b.Events);
            destinations[i] = b.Destination;
            minTimes[i] = b.MinTimePs;
            reactions[i] = _loop.ReactionPs(b.Events);
        }

        long busy = Stopwatch.GetTimestamp() - began;
        _handled += handled;
        _busyTicks += busy;
        var done = new WindowDone(_loop.Partition, open.Window, handled, _loop.NextEventPs, _loop.PromisePs, _loop.LastHandledPs, destinations, minTimes, reactions, busy, _book is null ? relay : null);
        if (_book is null)
        {
            Send(_windowReports, done);
            return;
        }

        int next = 0;
        for (int p = 0; p < _partitions.Length; p++)
        {
            if (p == _loop.Partition)
            {
                continue;
            }

            // Destinations are in ascending order: the batch for p, if any, is the next one.
            if (next < destinations.Length && destinations[next] == p)
            {
                Send(_partitions[p], done with { Relay = [relay![next++]] });
            }
            else
            {
                Send(_partitions[p], done);
            }
        }

        OnPeerReport(done);
    }

    private void OnPeerReport(WindowDone done)
    {
        if (done.Window != _window || _book is null)
        {
            // A peer that had every report of our window before we did may already report a later one. Between
            // processes a peer's first report can even overtake the conductor's wiring: it waits for the book.
            _early.Add(done);
            return;
        }

        _book.Apply(done);
        if (--_reportsPending == 0)
        {
            _book.Fold();
            if (_window % PeerWindows.ReportEvery == 0)
            {
                Report(waiting: false);
            }

            Decide();
        }
    }

    /// <summary>The conductor's decision, taken alike by every partition from the same book.</summary>
    private void Decide()
    {
        var book = _book!;
        long earliest = book.EarliestPs;
        if (earliest >= Math.Min(_capPs, _endPs) || _window >= _grant)
        {
            _waitingForConductor = true;
            Report(waiting: true);
            return;
        }

        long end = Math.Min(Math.Min(book.HorizonPs, _endPs), _capPs);
        long window = ++_window;
        _reportsPending = book.Woken(end);
        int self = _loop.Partition;
        bool woken = book.NextPs(self) < end;
        long expected = book.ExpectedBatches(self);
        DrainEarly();
        if (woken)
        {
            Open(new OpenWindow(window, end, expected, StartComponents: false));
        }
    }

    /// <summary>
    /// Applies the reports that came before their window opened here. A partition that was not woken may be several
    /// windows behind; when one completes a window, the next opens at once, so scan again from the start.
    /// </summary>
    private void DrainEarly()
    {
        int i = 0;
        while (i < _early.Count)
        {
            var done = _early[i];
            if (done.Window == _window && _reportsPending > 0)
            {
                _early.RemoveAt(i);
                OnPeerReport(done);
                i = 0;
            }
            else
            {
                i++;
            }
        }
    }

    private void Report(bool waiting) =>
        Send(
            _conductor,
            new WindowReached(_loop.Partition, _window, _book!.EarliestPs, waiting, _handled, _busyTicks, _loop.LastHandledPs, _book.ExpectedBatches(_loop.Partition), _generation));
}
