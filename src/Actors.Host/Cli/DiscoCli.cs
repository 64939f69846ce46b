using System.CommandLine;
using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Host.Cli;

/// <summary>
/// The <c>disco</c> command line. Bad input (options, configuration, files) prints one line naming the option, key,
/// file or line and exits 2; an internal failure exits 1; a finished run exits 0.
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
        };

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
#pragma warning disable CA1031 // The CLI boundary: anything else is an internal failure, reported and exit 1.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            stderr.WriteLine($"disco: internal error: {ex}");
            return InternalFailure;
        }
    }
}

/// <summary>Where a command writes, and whether stderr is a terminal (progress display).</summary>
internal sealed record CliIo(TextWriter Out, TextWriter Err, bool Interactive);
