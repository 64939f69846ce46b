using System.CommandLine;
using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Tracing;
using Disco.Actors.Host.Output;

namespace Disco.Actors.Host.Cli;

/// <summary><c>disco trace export FILE --format perfetto|csv [--out FILE]</c>: a message trace as something to look at.</summary>
internal static class TraceCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("file") { Description = "A trace written by disco run --trace-messages." };
        var format = new Option<string>("--format") { Description = "perfetto (Chrome/Perfetto trace-event JSON: open it at ui.perfetto.dev) or csv.", Required = true };
        var outFile = new Option<string?>("--out") { Description = "Output file (default: standard output)." };
        var export = new Command("export", "Convert a message trace to Perfetto JSON or CSV.") { file, format, outFile };
        export.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            string kind = parse.GetValue(format)!;
            if (kind is not ("perfetto" or "csv"))
            {
                throw new BadInputException("--format", $"'{kind}' is not a trace format (perfetto or csv)");
            }

            var trace = Read(path);
            string? target = parse.GetValue(outFile);
            if (target is null)
            {
                // Standard output is the CLI's writer (tests and pipes capture it).
                if (kind == "csv")
                {
                    TraceExport.WriteCsv(trace, io.Out);
                }
                else
                {
                    using var buffer = new MemoryStream();
                    TraceExport.WritePerfetto(trace, buffer);
                    io.Out.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                }
            }
            else
            {
                using var stream = new FileStream(target, FileMode.Create, FileAccess.Write);
                if (kind == "csv")
                {
                    using var text = new StreamWriter(stream);
                    TraceExport.WriteCsv(trace, text);
                }
                else
                {
                    TraceExport.WritePerfetto(trace, stream);
                }
            }

            if (trace.Truncated)
            {
                io.Err.WriteLine($"disco: {path}: the last chunk was cut short (the run was killed while writing it); exported what precedes it");
            }

            return DiscoCli.Ok;
        });
        return new Command("trace", "Work with message traces.") { export };
    }

    private static MessageTraceFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new BadInputException(path, "trace file not found");
        }

        try
        {
            return MessageTraceReader.Read(path);
        }
        catch (InvalidDataException ex)
        {
            throw new BadInputException(path, ex.Message);
        }
    }
}
