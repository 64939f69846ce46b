using System.Buffers;
using System.Diagnostics;
using Akka.Actor;
using Akka.Persistence;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Engine.Checkpoints;

/// <summary>
/// A run's checkpoints in Akka.Persistence: the <see cref="RunJournal"/> (manifest and epoch records) and the
/// snapshot store (the epochs' state in chunks of moderate size, so that neither one huge row nor thousands of tiny
/// ones are written). Used from outside the simulation: its methods are asynchronous and may block on the database.
/// </summary>
public sealed class CheckpointStore
{
    /// <summary>Chunks stay around this size: large rows read slowly through some providers (STACK.md).</summary>
    public const int ChunkBytes = 4 << 20;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A test hook (<c>DISCO_TEST_CHECKPOINT_PAUSE_MS</c>): waits this long after an epoch's chunks are stored and
    /// before it is recorded as completed, so crash tests can kill a run inside a checkpoint write. Zero otherwise.
    /// </summary>
    private static readonly TimeSpan PauseBeforeCompletion =
        TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("DISCO_TEST_CHECKPOINT_PAUSE_MS"), out int ms) && ms > 0 ? ms : 0);

    private readonly ActorSystem _system;
    private readonly string _runId;
    private readonly IActorRef _journal;
    private readonly IActorRef _snapshots;

    public CheckpointStore(ActorSystem system, string runId)
    {
        ArgumentNullException.ThrowIfNull(system);
        _system = system;
        _runId = runId;
        _journal = system.ActorOf(RunJournal.Props(runId), "run-journal-" + Uri.EscapeDataString(runId));
        _snapshots = Persistence.Instance.Apply(system).SnapshotStoreFor(null);
    }

    public string RunId => _runId;

    public async Task<JournalState> ReadJournalAsync() =>
        await _journal.Ask<JournalState>(RunJournal.ReadState.Instance, Timeout).ConfigureAwait(false);

    public async Task AppendAsync(ICheckpointRecord record) =>
        await _journal.Ask<RunJournal.Appended>(new RunJournal.Append(record), Timeout).ConfigureAwait(false);

    /// <summary>
    /// Stores one epoch: <see cref="CheckpointStarted"/>, the chunks, then <see cref="CheckpointCompleted"/>. Only the
    /// last write makes the epoch visible to resume.
    /// </summary>
    public async Task<CheckpointCompleted> SaveEpochAsync(Run.CheckpointCapture capture)
    {
        ArgumentNullException.ThrowIfNull(capture);
        var (epoch, simTimePs, events, partitionImages, captureSeconds) = capture;
        var wall = Stopwatch.StartNew();
        await AppendAsync(new CheckpointStarted(epoch)).ConfigureAwait(false);
        var chunks = Chunk(epoch, partitionImages);
        var saves = chunks.Select((chunk, i) => _snapshots.Ask(
            new SaveSnapshot(new SnapshotMetadata(ChunkId(i), epoch, DateTime.UtcNow), chunk), Timeout)).ToArray();
        foreach (object reply in await Task.WhenAll(saves).ConfigureAwait(false))
        {
            if (reply is SaveSnapshotFailure failure)
            {
                throw new InvalidOperationException($"saving checkpoint {epoch} failed: {failure.Cause.Message}", failure.Cause);
            }
        }

        if (PauseBeforeCompletion > TimeSpan.Zero)
        {
            await Task.Delay(PauseBeforeCompletion).ConfigureAwait(false);
        }

        long bytes = chunks.Sum(c => (long)c.Payload.Length);
        var completed = new CheckpointCompleted(
            epoch, simTimePs, events, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), chunks.Count, bytes, captureSeconds, wall.Elapsed.TotalSeconds,
            CheckpointChunk.ImageChecksumOf(chunks.Select(c => c.Checksum)));
        await AppendAsync(completed).ConfigureAwait(false);
        return completed;
    }

    /// <summary>Reads a completed epoch back, checks every checksum, and decodes it against <paramref name="model"/>.</summary>
    public async Task<CheckpointImage> LoadEpochAsync(CheckpointCompleted epoch, SimulationModel model)
    {
        var images = new List<ReadOnlyMemory<byte>>();
        foreach (var chunk in await ReadVerifiedAsync(epoch).ConfigureAwait(false))
        {
            images.AddRange(Unchunk(chunk.Payload));
        }

        return CheckpointImage.Decode(images, model);
    }

    /// <summary>Null when every chunk of <paramref name="epoch"/> reads back as written; else what is damaged, naming the chunk.</summary>
    public async Task<string?> VerifyEpochAsync(CheckpointCompleted epoch)
    {
        try
        {
            await ReadVerifiedAsync(epoch).ConfigureAwait(false);
            return null;
        }
        catch (CorruptStateException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// Every chunk of the epoch, each checked against its own checksum and all against the epoch's image checksum, so
    /// a flipped byte anywhere is a <see cref="CorruptStateException"/> naming the epoch and the chunk, never a
    /// silently different run.
    /// </summary>
    private async Task<List<CheckpointChunk>> ReadVerifiedAsync(CheckpointCompleted epoch)
    {
        ArgumentNullException.ThrowIfNull(epoch);
        var chunks = new List<CheckpointChunk>(epoch.Chunks);
        for (int i = 0; i < epoch.Chunks; i++)
        {
            var criteria = new SnapshotSelectionCriteria(epoch.Epoch, DateTime.MaxValue, epoch.Epoch, null);
            object reply = await _snapshots.Ask(new LoadSnapshot(ChunkId(i), criteria, epoch.Epoch), Timeout).ConfigureAwait(false);
            var chunk = reply switch
            {
                LoadSnapshotResult { Snapshot.Snapshot: CheckpointChunk c } => c,
                LoadSnapshotResult => throw new CorruptStateException($"checkpoint {epoch.Epoch}: chunk {i} is missing or unreadable"),
                LoadSnapshotFailed f => throw new CorruptStateException($"checkpoint {epoch.Epoch}: chunk {i} cannot be read: {f.Cause.Message}", f.Cause),
                _ => throw new CorruptStateException($"checkpoint {epoch.Epoch}: unexpected reply {reply.GetType().Name}"),
            };
            if (chunk.Damage() is { } damage)
            {
                throw new CorruptStateException($"checkpoint {epoch.Epoch}: chunk {i} is damaged ({damage})");
            }

            if (chunk.Epoch != epoch.Epoch || chunk.Index != i)
            {
                throw new CorruptStateException($"checkpoint {epoch.Epoch}: chunk {i} holds epoch {chunk.Epoch} chunk {chunk.Index}");
            }

            chunks.Add(chunk);
        }

        if (CheckpointChunk.ImageChecksumOf(chunks.Select(c => c.Checksum)) != epoch.ImageChecksum)
        {
            throw new CorruptStateException($"checkpoint {epoch.Epoch}: its chunks do not add up to the image it recorded (image checksum mismatch)");
        }

        return chunks;
    }

    private string ChunkId(int index) => $"disco-run-{_runId}-chunk-{index}";

    private static List<CheckpointChunk> Chunk(long epoch, IReadOnlyList<byte[]> images)
    {
        var chunks = new List<CheckpointChunk>();
        int start = 0;
        while (start < images.Count || (start == 0 && chunks.Count == 0))
        {
            var buffer = new ArrayBufferWriter<byte>();
            var w = new StateWriter(buffer);
            int end = start;
            long size = 0;
            while (end < images.Count && (end == start || size + images[end].Length <= ChunkBytes))
            {
                size += images[end].Length;
                end++;
            }

            w.WriteCount(end - start);
            for (int i = start; i < end; i++)
            {
                w.Write(images[i]);
            }

            w.Flush();
            chunks.Add(CheckpointChunk.Of(epoch, chunks.Count, buffer.WrittenSpan.ToArray()));
            start = end;
            if (images.Count == 0)
            {
                break;
            }
        }

        return chunks;
    }

    private static List<ReadOnlyMemory<byte>> Unchunk(byte[] payload)
    {
        var r = new StateReader(payload);
        int count = r.ReadCount("partition images in chunk", 1 << 24);
        var images = new List<ReadOnlyMemory<byte>>(count);
        for (int i = 0; i < count; i++)
        {
            images.Add(r.ReadBytes("partition image", int.MaxValue));
        }

        return images;
    }
}
