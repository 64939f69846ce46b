using System.Globalization;
using System.Text;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Host.Experiments;

/// <summary>
/// The outputs of a finished experiment: per study <c>results.csv</c>, its figures and tables and <c>REPORT.md</c>;
/// for an experiment of several studies also the top folder's <c>results.csv</c> (every run) and a
/// <c>REPORT.md</c> holding every study's. Everything is derived from the run folders, so it can be made again.
/// </summary>
internal static class ExperimentReport
{
    public const string FileName = "REPORT.md";

    /// <summary>Writes everything; returns the path of the top REPORT.md.</summary>
    public static string Write(ExperimentPlan plan, string command)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var sections = new List<string>();
        foreach (var study in plan.Studies)
        {
            var runs = plan.Runs.Where(r => r.Study == study).ToList();
            // The figures and tables are drawn from the file as written, so they show exactly what it holds.
            var results = ResultsTable.Read(ResultsTable.Collect(runs).Write(study.Folder));
            string body = StudySection(study, results, runs, plan);
            File.WriteAllText(Path.Combine(study.Folder, FileName), Header(study.File.Title, command, plan) + body);
            sections.Add(plan.Studies.Count == 1 ? body : Nest(body, Path.GetFileName(study.Folder)));
        }

        string top = Path.Combine(plan.OutDir, FileName);
        if (plan.Studies.Count > 1)
        {
            ResultsTable.Collect(plan.Runs).Write(plan.OutDir);
            File.WriteAllText(top, Header(plan.Title, command, plan) + string.Join("\n", plan.Studies.Select((s, i) => $"## {s.File.Title}\n\nIn [{s.Name}/]({s.Name}/REPORT.md).\n{sections[i]}")));
        }

        return top;
    }

    private static string Header(string title, string command, ExperimentPlan plan) =>
        string.Create(CultureInfo.InvariantCulture, $"# {title}\n\nMade by `{command}` ({plan.Scale} scale, {plan.Repeat} run(s) per configuration, {Perturbation(plan.Perturb)}). Every number below comes from `results.csv`; each run's folder holds its summary.json, configuration and checkpoints, and `disco run` with the same scenario, overrides and seed gives the same digest.\n\n");

    private static string Perturbation(string perturb) => perturb switch
    {
        "ties" => "repetition k with tie order seeded:k-1",
        "both" => "repetition k with seed + k-1 and tie order seeded:k-1",
        _ => "repetition k with seed + k-1",
    };

    private static string StudySection(Study study, ResultsTable results, List<PlannedRun> runs, ExperimentPlan plan)
    {
        var text = new StringBuilder();
        foreach (string part in StudyOutputs.Write(study, results))
        {
            text.Append(part).Append('\n');
        }

        text.Append("## Runs\n\n");
        text.Append("Each run's configuration hash (every setting that shapes the simulated execution) and digest (of its whole execution).\n\n");
        text.Append("| run | scenario | seed | configuration hash | digest | events | simulated time | wall (s) |\n|---|---|---:|---|---|---:|---:|---:|\n");
        foreach (var (run, row) in runs.Zip(results.Rows))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {run.Id} | {Path.GetFileName(run.Spec.ScenarioPath)} | {run.Seed} | `{row.GetValueOrDefault("config_hash")}` | `{row.GetValueOrDefault("digest")}` | {ResultsTable.Number(row, "events"):N0} | {new SimTime((long)ResultsTable.Number(row, "sim_time_ps"))} | {ResultsTable.Number(row, "wall_s"):F1} |\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"\nOverrides of every run at {plan.Scale} scale are in `{Path.GetFileName(study.File.Path)}`; each run's full configuration is `<run>/config.resolved.hocon`.\n");
        return text.ToString();
    }

    /// <summary>A study's section inside the top report: headings one level down, pictures from its folder.</summary>
    private static string Nest(string body, string folder) =>
        ("\n" + body).Replace("\n## ", "\n### ", StringComparison.Ordinal).Replace("](", $"]({folder}/", StringComparison.Ordinal);
}
