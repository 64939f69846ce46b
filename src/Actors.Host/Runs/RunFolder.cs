using System.Text.Json;
using System.Text.Json.Serialization;
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

    /// <summary>Refuses to start a new run over one that can still be resumed: its checkpoints would become unreachable.</summary>
    public void EnsureNoResumableRun()
    {
        if (Read() is { Status: RunStatus.Running or RunStatus.Stopped } existing)
        {
            throw new BadInputException(Path, $"holds run {existing.RunId} that can still be resumed (disco resume {Path}); choose another --out or remove the folder");
        }
    }
}

[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
internal enum RunStatus
{
    Running,
    Stopped,
    Finished,
    Failed,
}

internal sealed record RunRecord(string RunId, RunStatus Status, string Store, string Scenario, long CreatedUnixMs);
