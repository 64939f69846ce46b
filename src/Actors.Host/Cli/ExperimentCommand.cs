using System.CommandLine;
using System.Globalization;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Host.Experiments;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// <c>disco experiment &lt;name&gt;</c>: every run of a study (<c>experiments/&lt;name&gt;.hocon</c>) as its own
/// checkpointed <c>disco run</c> process, several at once; then results.csv, the figures and REPORT.md. Run again,
/// it skips what finished and resumes what was interrupted.
/// </summary>
internal static class ExperimentCommand
{
    public static Command Create(CliIo io)
    {
        var name = new Argument<string>("name") { Description = "overhead, memory, scaling or all (a file experiments/<name>.hocon), or the path of an experiment file." };
        var outDir = new Option<string?>("--out") { Description = "Results folder (default: runs/experiment-<name>-<scale>)." };
        var jobs = new Option<int?>("--jobs") { Description = "Runs at once (default: cores / threads per run)." };
        var threads = new Option<int>("--threads") { Description = "Dispatcher threads of each run.", DefaultValueFactory = _ => 1 };
        var scale = new Option<string>("--scale") { Description = "full (the paper's sizes) or small (minutes).", DefaultValueFactory = _ => "full" };
        var repeat = new Option<int?>("--repeat") { Description = "Runs of each configuration, with seeds seed, seed+1, ... (default: the file's, 3 at full scale, 1 at small)." };
        var sets = new Option<string[]>("--set") { Description = "Override a key under disco in every run, e.g. --set machine.processor.cycle-time=2ns. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var perturb = new Option<string>("--perturb") { Description = "What differs between repetitions: seed (seed, seed+1, ...), ties (tie order seeded:1, seeded:2, ...) or both.", DefaultValueFactory = _ => "seed" };
        var folder = new Option<string>("--experiments") { Description = "Folder of the experiment files.", DefaultValueFactory = _ => "experiments" };
        var command = new Command("experiment", "Run a study of the paper (every run in parallel, checkpointed, resumable) and write results.csv, its figures and REPORT.md.")
        {
            name, outDir, jobs, threads, scale, repeat, perturb, sets, folder,
        };
        command.SetAction(async (parse, cancel) =>
        {
            string scaleName = parse.GetValue(scale)!;
            if (!ExperimentFile.ScaleNames.Contains(scaleName, StringComparer.Ordinal))
            {
                throw new BadInputException("--scale", $"expected full or small, got '{scaleName}'");
            }

            int perRun = parse.GetValue(threads);
            if (perRun < 1)
            {
                throw new BadInputException("--threads", $"must be at least 1 (got {perRun})");
            }

            int? given = parse.GetValue(jobs);
            if (given is < 1)
            {
                throw new BadInputException("--jobs", $"must be at least 1 (got {given})");
            }

            int? times = parse.GetValue(repeat);
            if (times is < 1 or > 100)
            {
                throw new BadInputException("--repeat", $"must be from 1 to 100 (got {times})");
            }

            string perturbation = parse.GetValue(perturb)!;
            if (!ExperimentPlan.PerturbKinds.Contains(perturbation, StringComparer.Ordinal))
            {
                throw new BadInputException("--perturb", $"expected seed, ties or both, got '{perturbation}'");
            }

            string experiment = parse.GetValue(name)!;
            string output = parse.GetValue(outDir) ?? Path.Combine("runs", $"experiment-{Path.GetFileNameWithoutExtension(experiment)}-{scaleName}");
            var plan = ExperimentPlan.Build(experiment, parse.GetValue(folder)!, output, scaleName, times, parse.GetValue(sets) ?? [], perturbation);
            ExperimentRecord.Claim(output, plan);
            int parallel = given ?? Math.Max(1, Environment.ProcessorCount / perRun);
            var runner = new ExperimentRunner(io, plan, parallel, perRun);
            var failed = await runner.RunAsync(cancel).ConfigureAwait(false);
            if (runner.Stopped)
            {
                io.Err.WriteLine($"disco: experiment {plan.Name} stopped on request; run the same command again to continue it");
                return DiscoCli.InternalFailure;
            }

            if (failed.Count > 0)
            {
                foreach (var f in failed)
                {
                    io.Err.WriteLine($"disco: run {f.Run.Id} failed (exit {f.Exit}); its output is in {Path.Combine(f.Run.Folder, RunLauncher.LogFile)}");
                }

                io.Err.WriteLine($"disco: {failed.Count} of {plan.Runs.Count} runs failed; run the same command again to retry them");
                return DiscoCli.InternalFailure;
            }

            string report = ExperimentReport.Write(plan, CommandLine(parse.Tokens.Select(t => t.Value)));
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"experiment {plan.Name}: {plan.Runs.Count} runs finished; report in {report}"));
            return DiscoCli.Ok;
        });
        return command;
    }

    private static string CommandLine(IEnumerable<string> tokens) =>
        "disco experiment " + string.Join(' ', tokens.Skip(1).Select(RunLauncher.Quote));
}
