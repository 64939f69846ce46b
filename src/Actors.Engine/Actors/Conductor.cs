using System.Diagnostics;
using Akka.Actor;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// Runs conservative windows. Window k is [T, E): T the earliest pending event anywhere, E the earliest time at which
/// any message sent from now on can arrive (the minimum of the partitions' promises), capped at the end time and at
/// the next checkpoint time. Only partitions with an event before E are woken. Each reports what it sent where; the
/// next window opens when every woken partition has reported, and tells each partition how many batches it must hold
/// before it starts, so no batch is ever acknowledged on its own. Between two windows nothing is being handled, so a
/// checkpoint taken there (once each partition holds its announced batches) is a consistent cut.
/// </summary>
internal sealed partial class Conductor : UntypedActor
{
    private readonly SimulationModel _model;
    private readonly Placement _placement;
    private readonly string _dispatcher;
    private readonly RunControl _control;
    private readonly CheckpointPolicy? _checkpoints;
    private readonly CheckpointImage? _resume;
    private readonly TaskCompletionSource<RunResult> _done;
    private readonly int _threads;
    private readonly long _endPs;
    private readonly int _count;
    private readonly WindowBook _book;

    // Peer windows (PeerWindows.For): the partitions open windows themselves up to _grant and report now and then.
    private readonly bool _peer;
    private readonly long[] _reachedWindow;
    private readonly bool[] _reachedWaiting;
    private readonly long[] _peerExpected;
    private long _grant;
    private long _generation;
    private bool _holding;
    private long _peerEarliestPs;
    private readonly Stopwatch _wall = new();
    private readonly long[] _partitionEvents;
    private readonly long[] _partitionBusyTicks;
    private readonly SampledTimer _timer = new();
    private readonly Action<object> _dispatch;
    private long _sent;
    private long _partitionsSent;
    private IActorRef[] _partitions = [];

    // Conductor windows: batches reported and not yet handed to their destination partition (see WindowDone.Relay).
    private readonly List<EventBatch>?[] _held;
    private long _window;
    private int _outstanding;
    private long _events;
    private long _lastHandledPs;
    private TimeSpan _lastProgress;
    private List<ComponentReport>? _reports;
    private int _resultsPending;
    private long _finalSimTimePs;
    private bool _stopped;
    private double _wallSeconds;

    // Checkpoint state: the next cadence point, the epoch being taken and its partition images.
    private long _nextCheckpointPs = long.MaxValue;
    private long _epoch;
    private TimeSpan _lastCheckpointWall;
    private byte[][]? _images;
    private int _imagesPending;
    private long _checkpointBoundaryPs;
    private TimeSpan _checkpointBegan;

    // Metrics samples: the next sample time and the reports gathered for the one being taken.
    private readonly MetricsPolicy? _metrics;
    private long _nextSamplePs = long.MaxValue;
    private List<ComponentReport>? _sample;
    private int _samplePending;

    private readonly bool _remotePartitions;
    private int _partitionsMissing;
    private readonly int _groupCount;

    /// <param name="remotePartitions">
    /// False: the conductor creates every partition as its child. True: others (cluster workers) create them and
    /// send <see cref="PartitionsHosted"/>; the run starts when every partition is known.
    /// </param>
    /// <param name="groups">Groups of the two-level conductor when it is used (more partitions than peer windows take, all local): 0 = <see cref="DefaultGroups"/>.</param>
    public Conductor(SimulationModel model, Placement placement, string dispatcher, int threads, RunControl control, CheckpointImage? resume, TaskCompletionSource<RunResult> done, bool remotePartitions = false, int groups = 0)
    {
        _remotePartitions = remotePartitions;
        _dispatch = Dispatch;
        _model = model;
        _placement = placement;
        _dispatcher = dispatcher;
        _threads = threads;
        _control = control;
        _checkpoints = control.Checkpoints;
        _resume = resume;
        _done = done;
        _endPs = model.End.Ps;
        _count = placement.PartitionCount;
        _book = new WindowBook(_count);
        _peer = PeerWindows.For(_count);
        _groupCount = GroupCount(_count, _peer, remotePartitions, groups);
        _reachedWindow = new long[_count];
        _reachedWaiting = new bool[_count];
        _peerExpected = new long[_count];
        _partitionEvents = new long[_count];
        _partitionBusyTicks = new long[_count];
        _held = new List<EventBatch>?[_count];
        if (_checkpoints is not null)
        {
            _epoch = _checkpoints.FirstEpoch;
            _nextCheckpointPs = _checkpoints.NextCadencePs(_checkpoints.StartPs);
        }

        _metrics = control.Metrics;
        if (_metrics is not null)
        {
            _nextSamplePs = _metrics.NextPs(_metrics.StartPs);
        }
    }

    public static Props Props(SimulationModel model, Placement placement, string dispatcher, int threads, RunControl control, CheckpointImage? resume, TaskCompletionSource<RunResult> done, bool remotePartitions = false, int groups = 0) =>
        Akka.Actor.Props.Create(() => new Conductor(model, placement, dispatcher, threads, control, resume, done, remotePartitions, groups)).WithDispatcher(dispatcher);

    protected override SupervisorStrategy SupervisorStrategy() =>
        new StopOnFailure(ex =>
        {
            // A component that throws has broken the model (or the engine): the run cannot go on deterministically.
            _done.TrySetException(ex);
            Context.Stop(Self);
            return Directive.Stop;
        });

    /// <summary>
    /// Stops on any failure; logs model and engine failures with their stack, but not bad input found during the
    /// run (a guest's memory is full, say): the CLI reports that in one line, and a stack trace would bury it.
    /// </summary>
    private sealed class StopOnFailure(Func<Exception, Directive> decider) : OneForOneStrategy(decider)
    {
        protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive)
        {
            if (cause is not Configuration.BadInputException)
            {
                base.LogFailure(context, child, cause, directive);
            }
        }
    }

    protected override void PreStart()
    {
        _partitions = new IActorRef[_count];
        if (_remotePartitions)
        {
            _partitionsMissing = _count;
            if (_count == 0)
            {
                Start();
            }

            return;
        }

        if (_groupCount > 0)
        {
            CreateGroups(_groupCount);
        }
        else
        {
            _partitions = PartitionHosting.Create(Context, _model, _placement, [.. Enumerable.Range(0, _count)], Self, _dispatcher, _resume, trace: _control.Trace);
        }

        Start();
    }

    private void OnHosted(PartitionsHosted hosted)
    {

        for (int i = 0; i < hosted.Partitions.Length; i++)
        {
            int p = hosted.Partitions[i];
            if (_partitions[p] is null)
            {
                _partitionsMissing--;
            }

            _partitions[p] = hosted.Refs[i];
        }

        if (_partitionsMissing == 0)
        {
            Start();
        }
    }

    private void Start()
    {
        var wire = new WirePartitions(_partitions);
        foreach (var partition in _partitions)
        {
            Send(partition, wire);
        }

        _wall.Start();
        if (_peer)
        {
            _grant = PeerWindows.GrantAhead;
            var proceed = new Proceed(_grant, CapPs(), _generation);
            foreach (var partition in _partitions)
            {
                Send(partition, proceed);
            }
        }

        // Window 0 handles nothing: it starts the components (or not, when resuming) and collects every
        // partition's first report.
        if (Grouped)
        {
            StartGroups();
            return;
        }

        var start = new OpenWindow(0, 0, 0, StartComponents: _resume is null);
        foreach (var partition in _partitions)
        {
            Send(partition, start);
        }

        _outstanding = _peer ? 0 : _count;
        if (_count == 0)
        {
            Collect(0);
        }
    }

    /// <summary>The batches held for partition <paramref name="p"/>, handed over with the message about to go there (null: none).</summary>
    private EventBatch[]? Held(int p) => GroupConductor.TakeAll(_held[p]);

    /// <summary>Every engine message the conductor sends goes through here (the run's messages per event).</summary>
    private void Send(IActorRef to, object message)
    {
        _sent++;
        to.Tell(message, Self);
    }

    protected override void PostStop() => _done.TrySetException(new InvalidOperationException("the conductor stopped before the run ended"));

    protected override void OnReceive(object message) => _timer.Run(message, _dispatch);

    private void Dispatch(object message)
    {
        switch (message)
        {
            case GroupDone done:
                OnGroupDone(done);
                break;
            case WindowDone done:
                OnWindowDone(done);
                break;
            case WindowReached reached:
                OnReached(reached);
                break;
            case PartitionImage image:
                OnImage(image);
                break;
            case CheckpointStored stored:
                OnStored(stored);
                break;
            case PartitionResults { SampleTimePs: >= 0 } sample:
                OnSample(sample);
                break;
            case PartitionResults results:
                OnResults(results);
                break;
            case PartitionsHosted hosted:
                OnHosted(hosted);
                break;
            case PartitionFailed failed:
                _done.TrySetException(new RemotePartitionException(failed.Partition, failed.Error, failed.BadInput));
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnWindowDone(WindowDone done)
    {

        int p = done.Partition;
        _events += done.Handled;
        _partitionEvents[p] += done.Handled;
        _partitionBusyTicks[p] += done.BusyTicks;
        _lastHandledPs = Math.Max(_lastHandledPs, done.LastHandledPs);
        _book.Apply(done);
        if (done.Relay is { } relay)
        {
            for (int i = 0; i < relay.Length; i++)
            {
                (_held[done.BatchDestinations[i]] ??= []).Add(relay[i]);
            }
        }
        if (--_outstanding == 0)
        {
            _book.Fold();
            OpenNextWindow();
        }
    }

    private void OpenNextWindow()
    {
        long earliest = _peer ? _peerEarliestPs : _book.EarliestPs;
        long horizon = _book.HorizonPs;
        ReportProgress(earliest);
        if (_metrics is not null && earliest >= _nextSamplePs && earliest < _endPs)
        {
            BeginSample();
            return;
        }

        bool stop = _control.Stop.IsCancellationRequested;
        if (_checkpoints is not null && earliest < _endPs)
        {
            bool cadence = earliest >= _nextCheckpointPs;
            bool wallDue = _checkpoints.WallEvery is { } w && _wall.Elapsed - _lastCheckpointWall >= w;
            if (cadence || wallDue || stop)
            {
                BeginCheckpoint(cadence ? _nextCheckpointPs : earliest);
                return;
            }
        }

        if (stop)
        {
            _stopped = true;
            Collect(earliest == long.MaxValue ? _lastHandledPs : Math.Min(earliest, _endPs));
            return;
        }

        if (earliest >= _endPs)
        {
            Collect(earliest == long.MaxValue ? _lastHandledPs : _endPs);
            return;
        }

        if (_peer)
        {
            Grant(_window + PeerWindows.GrantAhead);
            return;
        }

        long end = Math.Min(Math.Min(Math.Min(horizon, _endPs), _nextCheckpointPs), _nextSamplePs);
        _window++;
        if (Grouped)
        {
            OpenGroupWindows(end);
            return;
        }

        for (int p = 0; p < _count; p++)
        {
            if (_book.NextPs(p) < end)
            {
                Send(_partitions[p], new OpenWindow(_window, end, _book.ExpectedBatches(p), StartComponents: false, Held(p)));
                _outstanding++;
            }
        }
    }

    private void BeginSample()
    {
        _sample = new List<ComponentReport>(_model.Components.Count);
        _samplePending = _count;
        ToEveryPartition(null, new CollectResults(_nextSamplePs, _window + 1, 0, _metrics!.StateHashes));
    }

    private void OnSample(PartitionResults results)
    {
        _sample!.AddRange(results.Components);
        if (--_samplePending > 0)
        {
            return;
        }

        _sample.Sort((a, b) => a.Id.CompareTo(b.Id));
        _metrics!.Sample(_nextSamplePs, ComponentReport.Settle(_sample));
        _sample = null;
        _nextSamplePs = _metrics.NextPs(_nextSamplePs);
        OpenNextWindow();
    }

    private void ReportProgress(long earliestPs)
    {
        if (_control.Progress is not { } progress)
        {
            return;
        }

        var now = _wall.Elapsed;
        if (now - _lastProgress < _control.ProgressInterval)
        {
            return;
        }

        _lastProgress = now;
        long simTime = earliestPs == long.MaxValue ? _lastHandledPs : Math.Min(earliestPs, _endPs);
        progress(new RunProgress(simTime, _endPs, _events, now.TotalSeconds));
    }

    private void Collect(long simTimePs)
    {
        _wallSeconds = _wall.Elapsed.TotalSeconds;
        _finalSimTimePs = simTimePs;
        _reports = new List<ComponentReport>(_model.Components.Count);
        _resultsPending = _count;
        if (_count == 0)
        {
            Finish();
            return;
        }

        ToEveryPartition(null, new CollectResults(CollectResults.FinalSample, _window + 1, 0));
    }

    private void OnResults(PartitionResults results)
    {
        _reports!.AddRange(results.Components);
        _partitionsSent += results.MessagesSent;
        if (--_resultsPending == 0)
        {
            Finish();
        }
    }

    private void Finish()
    {
        var stats = new EngineStats(_window, _partitionEvents, [.. _partitionBusyTicks.Select(t => (double)t / Stopwatch.Frequency)], (double)_timer.Ticks / Stopwatch.Frequency) { Messages = _sent + _groupsSent + _partitionsSent };
        _done.TrySetResult(new RunResult(ActorEngine.EngineName, _finalSimTimePs, _wallSeconds, _count, _threads, _reports!, _stopped, _resume?.HandledBefore ?? 0) { Stats = stats });
        Context.Stop(Self);
    }
}
