using System.Text.Json;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// <c>DIR/experiment.json</c>: which experiment an output folder holds (name, scale, repetitions, overrides) and the
/// configuration hash of each run. A second invocation continues only the same experiment: anything else in the folder
/// is refused before a file is touched.
/// </summary>
internal sealed record ExperimentRecord(string Experiment, string Scale, int Repeat, IReadOnlyList<string> Sets, IReadOnlyDictionary<string, string> Runs, string? Perturb = "seed")
{
    public const string FileName = "experiment.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static ExperimentRecord Of(ExperimentPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return new ExperimentRecord(
            plan.Name,
            plan.Scale,
            plan.Repeat,
            plan.Sets,
            plan.Runs.ToDictionary(r => Path.GetRelativePath(plan.OutDir, r.Folder), r => r.ConfigHash, StringComparer.Ordinal),
            plan.Perturb);
    }

    /// <summary>
    /// Claims <paramref name="dir"/> for <paramref name="plan"/>: a new or empty folder, or one holding this same
    /// experiment. A folder with other content, or another experiment's record, is bad input and left as it is.
    /// </summary>
    public static void Claim(string dir, ExperimentPlan plan)
    {
        var mine = Of(plan);
        string path = Path.Combine(dir, FileName);
        if (File.Exists(path))
        {
            ExperimentRecord? theirs;
            try
            {
                theirs = JsonSerializer.Deserialize<ExperimentRecord>(File.ReadAllText(path), Json);
            }
            catch (JsonException ex)
            {
                throw new BadInputException(path, "not an experiment record: " + ex.Message.Split('\n')[0]);
            }

            if (theirs is null)
            {
                throw new BadInputException(path, "empty experiment record");
            }

            if (theirs.Experiment != mine.Experiment || theirs.Scale != mine.Scale || theirs.Repeat != mine.Repeat || !theirs.Sets.SequenceEqual(mine.Sets) || (theirs.Perturb ?? "seed") != mine.Perturb)
            {
                throw new BadInputException(dir, $"holds experiment {theirs.Describe()}, not {mine.Describe()}: choose another --out");
            }

            foreach (var (run, hash) in mine.Runs)
            {
                if (theirs.Runs.TryGetValue(run, out string? old) && old != hash && Directory.Exists(Path.Combine(dir, run)))
                {
                    throw new BadInputException(Path.Combine(dir, run), $"was run with configuration {old}, the experiment now gives {hash} (its file changed?): choose another --out or remove the folder");
                }
            }
        }
        else if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            throw new BadInputException(dir, $"is not empty and holds no {FileName}: choose another --out");
        }

        Directory.CreateDirectory(dir);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(mine, Json) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    private string Describe() =>
        $"{Experiment} (scale {Scale}, repeat {Repeat}{(Perturb is null or "seed" ? "" : $", perturb {Perturb}")}{(Sets.Count > 0 ? ", --set " + string.Join(" --set ", Sets) : "")})";
}
