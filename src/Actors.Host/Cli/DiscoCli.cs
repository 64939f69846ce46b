using System.CommandLine;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// The <c>disco</c> command line. Bad input (options, configuration, files) prints one line naming the option, key,
/// file or line and exits 2; an internal failure or a failing environment (disk full, permission denied) prints one
/// line and exits 1, with the details (stack trace) in <c>disco-error.log</c> in the run folder, or on stderr with
/// <c>--verbose</c>; a finished run exits 0.
/// </summary>
internal static class DiscoCli
{
    public const int Ok = 0;
    public const int InternalFailure = 1;
    public const int BadInput = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var io = new CliIo(stdout, stderr, interactive);
        var root = new RootCommand("Disco.Actors: a parallel discrete-event simulator of the Disco virtual machine monitor on a FLASH-like CC-NUMA machine.")
        {
            RunCommand.Create(io),
            ResumeCommand.CreateResume(io),
            ResumeCommand.CreateList(io),
            BenchCommand.Create(io),
            ClusterCommand.Create(io),
            ReportCommand.Create(io),
            TraceCommand.Create(io),
            ProbeCommand.Create(io),
            ExperimentCommand.Create(io),
        };

        var verbose = new Option<bool>("--verbose") { Description = "On an internal failure, print the details (stack trace) too.", Recursive = true };
        root.Options.Add(verbose);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"disco: {parse.Errors[0].Message} (see disco --help)");
            return BadInput;
        }

        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
                stop).ConfigureAwait(false);
        }
        catch (BadInputException ex)
        {
            stderr.WriteLine($"disco: {ex.Message}");
            return BadInput;
        }
        catch (Exception ex) when (ex.InnerException is BadInputException inner)
        {
            stderr.WriteLine($"disco: {inner.Message}");
            return BadInput;
        }
        catch (Engine.Actors.RemotePartitionException ex) when (ex.BadInput)
        {
            stderr.WriteLine($"disco: {ex.Message}");
            return BadInput;
        }
        catch (Cluster.ClusterMemberLostException ex)
        {
            stderr.WriteLine($"disco: {ex.Message}; resume it with disco resume (with --db) or disco cluster conductor ... resume");
            return InternalFailure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failure(stderr, args, parse.GetValue(verbose), ex.Message, ex);
        }
#pragma warning disable CA1031 // The CLI boundary: anything else is an internal failure, reported and exit 1.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Failure(stderr, args, parse.GetValue(verbose), $"internal error: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    /// <summary>One line on stderr; the whole exception in the run folder's disco-error.log (or on stderr with --verbose).</summary>
    private static int Failure(TextWriter stderr, string[] args, bool verbose, string line, Exception ex)
    {
        if (verbose)
        {
            stderr.WriteLine($"disco: {line}");
            stderr.WriteLine(ex);
            return InternalFailure;
        }

        string? log = null;
        foreach (string folder in new[] { RunFolderIn(args), Path.GetTempPath() })
        {
            try
            {
                if (folder is { Length: > 0 } && Directory.Exists(folder))
                {
                    log = Path.Combine(folder, "disco-error.log");
                    File.AppendAllText(log, $"{DateTimeOffset.UtcNow:u} disco {string.Join(' ', args)}\n{ex}\n\n");
                    break;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log = null;
            }
        }

        stderr.WriteLine(log is null ? $"disco: {line}" : $"disco: {line} (details in {log})");
        return InternalFailure;
    }

    /// <summary>The run folder a command names: <c>--out DIR</c>, or the folder of <c>resume</c> / <c>checkpoints</c>.</summary>
    private static string RunFolderIn(string[] args)
    {
        int i = Array.IndexOf(args, "--out");
        if (i >= 0 && i + 1 < args.Length)
        {
            return args[i + 1];
        }

        int c = Array.FindIndex(args, a => a is "resume" or "checkpoints");
        return c >= 0 && c + 1 < args.Length && !args[c + 1].StartsWith('-') ? args[c + 1] : "";
    }
}

/// <summary>Where a command writes, and whether stderr is a terminal (progress display).</summary>
internal sealed record CliIo(TextWriter Out, TextWriter Err, bool Interactive);
