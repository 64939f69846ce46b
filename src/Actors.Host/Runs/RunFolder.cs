using System.Text.Json;
using System.Text.Json.Serialization;
using Disco.Actors.Engine.Checkpoints;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Runs;

/// <summary>
/// A run's results folder and its <c>run.json</c>: the run id (the key of its checkpoints in the store), where the
/// store is, and whether the run is still resumable. The connection string of an external store is not written
/// (it may carry a password): resuming such a run takes <c>--db</c> again.
/// </summary>
internal sealed class RunFolder
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public RunFolder(string path) => Path = path;

    public string Path { get; }

    public string RunFile => System.IO.Path.Combine(Path, "run.json");

    public string DefaultDb => System.IO.Path.Combine(Path, "checkpoints.db");

    public RunRecord? Read()
    {
        if (!File.Exists(RunFile))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(RunFile), Json)
                ?? throw new BadInputException(RunFile, "empty run record");
        }
        catch (JsonException ex)
        {
            throw new BadInputException(RunFile, "not a disco run record: " + ex.Message);
        }
    }

    public void Write(RunRecord record)
    {
        Directory.CreateDirectory(Path);
        string tmp = RunFile + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(record, Json) + "\n");
        File.Move(tmp, RunFile, overwrite: true);
    }

    /// <summary>
    /// Refuses to start a new run over one that can still be resumed: its checkpoints would become unreachable. A run
    /// that was stopped before its first checkpoint completed has nothing to resume: it is started again (its
    /// unfinished store, when it is this folder's own file, is removed first).
    /// </summary>
    public void EnsureNoResumableRun(CheckpointDb? newStore, TextWriter notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        if (Read() is not { Resumable: true } existing)
        {
            return;
        }

        if (StoreOf(existing, newStore) is not { } store || store.CompletedEpochs(existing.RunId) > 0)
        {
            throw new BadInputException(Path, $"holds run {existing.RunId} that can still be resumed (disco resume {Path}); choose another --out or remove the folder");
        }

        if (existing.Store == nameof(CheckpointDbKind.Sqlite))
        {
            foreach (string suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(DefaultDb + suffix);
            }
        }

        notes.WriteLine($"disco: run {existing.RunId} in {Path} was stopped before its first checkpoint completed: starting it again");
    }

    /// <summary>Where a recorded run keeps its checkpoints, if this process can tell (a PostgreSQL run needs its --db).</summary>
    private CheckpointDb? StoreOf(RunRecord record, CheckpointDb? given) =>
        record.Store == nameof(CheckpointDbKind.Sqlite) ? CheckpointDb.Sqlite(DefaultDb)
        : given is { Kind: CheckpointDbKind.PostgreSql } ? given
        : null;
}

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
internal enum RunStatus
{
    Running,
    Stopped,
    Finished,
    Failed,
}

internal sealed record RunRecord(string RunId, RunStatus Status, string Store, string Scenario, long CreatedUnixMs)
{
    /// <summary>Running (its process died) or stopped: a run that may still be resumed, if it completed a checkpoint.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Resumable => Status is RunStatus.Running or RunStatus.Stopped;
}
