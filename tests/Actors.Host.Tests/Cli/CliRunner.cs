using Disco.Actors.Host.Cli;

namespace Disco.Actors.Host.Tests.Cli;

/// <summary>Runs the real <c>disco</c> command line in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = DiscoCli.RunAsync(args, stdout, stderr, interactive: false).GetAwaiter().GetResult();
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
