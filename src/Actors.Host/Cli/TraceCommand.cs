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
        var format = new Option<string>("--format") { Description = "perfetto (Chrome/Perfetto trace-event JSON: open it at ui.perfetto.dev), csv, or png (a sequence chart of the first messages; needs --out).", Required = true };
        var limit = new Option<int>("--limit") { Description = "png: how many messages to draw (default 300).", DefaultValueFactory = _ => 300 };
        var outFile = new Option<string?>("--out") { Description = "Output file (default: standard output)." };
        var export = new Command("export", "Convert a message trace to Perfetto JSON or CSV.") { file, format, outFile, limit };
        export.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            string kind = parse.GetValue(format)!;
            if (kind is not ("perfetto" or "csv" or "png"))
            {
                throw new BadInputException("--format", $"'{kind}' is not a trace format (perfetto, csv or png)");
            }

            string? target = parse.GetValue(outFile);
            if (kind == "png" && target is null)
            {
                throw new BadInputException("--out", "a png export needs a file to write");
            }

            int max = parse.GetValue(limit);
            if (max < 1)
            {
                throw new BadInputException("--limit", $"must be at least 1 (got {max})");
            }

            var trace = Read(path);
            if (kind == "png")
            {
                BreakdownPlot.Save(target!, TracePlot.Render(trace, max));
                return DiscoCli.Ok;
            }

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
