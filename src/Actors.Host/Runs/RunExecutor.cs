using Akka.Configuration;
using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Host.Runs;

/// <summary>Runs a model on the engine the settings name.</summary>
internal static class RunExecutor
{
    public static async Task<RunResult> ExecuteAsync(SimulationModel model, RunSettings settings, Config akkaConfig, RunControl control)
    {
        if (settings.Engine == RunSettings.Sequential)
        {
            // The sequential kernel blocks: keep it off the caller's thread so progress and Ctrl-C stay responsive.
            return await Task.Factory.StartNew(() => SequentialKernel.Run(model, control), TaskCreationOptions.LongRunning).ConfigureAwait(false);
        }

        return await ActorEngine.RunAsync(model, settings.Actors, control, akkaConfig).ConfigureAwait(false);
    }
}
