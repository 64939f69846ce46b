using Akka.Actor;
using Akka.Persistence;

namespace Disco.Actors.Engine.Checkpoints;

/// <summary>What a run's journal holds once recovered.</summary>
public sealed record JournalState(RunManifest? Manifest, IReadOnlyList<CheckpointCompleted> Completed, long LastStartedEpoch)
{
    public long NextEpoch => Math.Max(LastStartedEpoch, Completed.Count == 0 ? 0 : Completed.Max(c => c.Epoch)) + 1;
}

/// <summary>
/// The run's journal, an Akka.Persistence event-sourced actor: the manifest at the start, then for every epoch
/// <see cref="CheckpointStarted"/> before its chunks and <see cref="CheckpointCompleted"/> after them.
/// </summary>
internal sealed class RunJournal : UntypedPersistentActor
{
    private readonly List<CheckpointCompleted> _completed = [];
    private RunManifest? _manifest;
    private long _lastStarted;

    public RunJournal(string runId) => PersistenceId = JournalId(runId);

    public override string PersistenceId { get; }

    public static string JournalId(string runId) => $"disco-run-{runId}";

    public static Props Props(string runId) => Akka.Actor.Props.Create(() => new RunJournal(runId));

    protected override void OnRecover(object message)
    {
        if (message is ICheckpointRecord record)
        {
            Apply(record);
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case Append append:
                var replyTo = Sender;
                Persist(append.Record, r =>
                {
                    Apply(r);
                    replyTo.Tell(Appended.Instance);
                });
                break;
            case ReadState:
                Sender.Tell(new JournalState(_manifest, [.. _completed], _lastStarted));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The default stops the actor silently; the store's caller must learn why instead.
        Sender.Tell(new Status.Failure(cause));
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Context.Parent.Tell(new Status.Failure(reason));
        base.OnRecoveryFailure(reason, message);
    }

    private void Apply(ICheckpointRecord record)
    {
        switch (record)
        {
            case RunManifest m:
                _manifest = m;
                break;
            case CheckpointStarted s:
                _lastStarted = Math.Max(_lastStarted, s.Epoch);
                break;
            case CheckpointCompleted c:
                _completed.Add(c);
                break;
        }
    }

    internal sealed record Append(ICheckpointRecord Record);

    internal sealed record Appended
    {
        public static Appended Instance { get; } = new();
    }

    internal sealed record ReadState
    {
        public static ReadState Instance { get; } = new();
    }
}
