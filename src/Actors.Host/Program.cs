using System.Runtime.InteropServices;
using Disco.Actors.Host.Cli;

// The first Ctrl-C or SIGTERM asks the run to stop at its next window boundary (and write its results);
// a second one ends the process at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (!stop.IsCancellationRequested)
    {
        context.Cancel = true;
        Console.Error.WriteLine("disco: stopping at the next window boundary (signal again to abort)");
        stop.Cancel();
    }
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
return await DiscoCli.RunAsync(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, stop.Token).ConfigureAwait(false);
