using System.Diagnostics;
using Akka.Actor;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// Hosts one partition's components (one component by default). Thin: it waits until the batches the conductor
/// announced have arrived, runs its event loop to the window's end, ships its outboxes and reports.
/// </summary>
internal sealed class PartitionActor : UntypedActor
{
    private readonly EventLoop _loop;
    private readonly IActorRef _conductor;
    private IActorRef[] _partitions = [];
    private readonly BatchCounter _received = new();
    private OpenWindow? _waiting;
    private TakeCheckpoint? _waitingCheckpoint;

    public PartitionActor(EventLoop loop, IActorRef conductor)
    {
        _loop = loop;
        _conductor = conductor;
    }

    public static Props Props(EventLoop loop, IActorRef conductor, string dispatcher) =>
        Akka.Actor.Props.Create(() => new PartitionActor(loop, conductor)).WithDispatcher(dispatcher);

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case EventBatch batch:
                // Events of a later window than the one to run are safe in the queue: their times are past its end.
                _loop.Deliver(batch.Events);
                _received.Add(batch.Window);
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

                break;
            case TakeCheckpoint take:
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
                if (_received.Before(open.Window) >= open.ExpectedBatches)
                {
                    RunWindow(open);
                }
                else
                {
                    _waiting = open;
                }

                break;
            case WirePartitions wire:
                _partitions = wire.Partitions;
                break;
            case CollectResults collect:
                Sender.Tell(new PartitionResults(_loop.Partition, collect.SampleTimePs, [.. _loop.Components.Select(c => StatsCollector.Report(c, collect.StateHashes))]));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void SendImage(TakeCheckpoint take) =>
        _conductor.Tell(new PartitionImage(_loop.Partition, take.Epoch, Checkpoints.CheckpointImage.EncodePartition(_loop)), Self);

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
        var self = Self;
        for (int i = 0; i < batches.Count; i++)
        {
            var b = batches[i];
            _partitions[b.Destination].Tell(new EventBatch(_loop.Partition, open.Window, b.Events), self);
            destinations[i] = b.Destination;
            minTimes[i] = b.MinTimePs;
            reactions[i] = _loop.ReactionPs(b.Events);
        }

        long next = _loop.NextEventPs;
        long promise = _loop.PromisePs;
        _conductor.Tell(
            new WindowDone(_loop.Partition, open.Window, handled, next, promise, _loop.LastHandledPs, destinations, minTimes, reactions, Stopwatch.GetTimestamp() - began),
            self);
    }
}
