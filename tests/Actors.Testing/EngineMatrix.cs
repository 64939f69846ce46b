using Disco.Actors.Engine.Actors;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Run;

namespace Disco.Actors.Testing;

/// <summary>
/// Runs one model on every engine and mapping (after ROSS's run-every-model-under-every-scheduler macro) so tests
/// can compare digests and counters. The model factory is called afresh for every run: components carry state.
/// </summary>
public static class EngineMatrix
{
    /// <summary>The mappings every determinism test covers: one actor per component, then K partitions.</summary>
    public static readonly int[] DefaultPartitions = [0, 2, 4, 7];

    public static RunResult Sequential(Func<SimulationModel> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        return SequentialKernel.Run(build());
    }

    public static RunResult Actors(Func<SimulationModel> build, int partitions, int threads, EngineExecutor executor = EngineExecutor.Spinning)
    {
        ArgumentNullException.ThrowIfNull(build);
        var options = new ActorEngineOptions { Partitions = partitions, Threads = threads, Executor = executor, SpinIterations = 200 };
        return ActorEngine.RunAsync(build(), options).GetAwaiter().GetResult();
    }

    /// <summary>The sequential result first, then one per (partitions, threads) pair.</summary>
    public static IReadOnlyList<(string Layout, RunResult Result)> RunAll(Func<SimulationModel> build, IEnumerable<int>? partitions = null, IEnumerable<int>? threads = null)
    {
        var results = new List<(string, RunResult)> { ("sequential", Sequential(build)) };
        foreach (int t in threads ?? [2])
        {
            foreach (int k in partitions ?? DefaultPartitions)
            {
                results.Add(($"actors partitions={(k == 0 ? "per-component" : k)} threads={t}", Actors(build, k, t)));
            }
        }

        return results;
    }

    /// <summary>Null when every run has the digest, event count and counters of the first; else what differs.</summary>
    public static string? Disagreement(IReadOnlyList<(string Layout, RunResult Result)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var (refLayout, reference) = runs[0];
        foreach (var (layout, r) in runs.Skip(1))
        {
            if (r.Digest != reference.Digest || r.Events != reference.Events || r.SimTimePs != reference.SimTimePs)
            {
                return $"{layout}: digest {r.DigestHex} events {r.Events} t={r.SimTimePs} vs {refLayout}: digest {reference.DigestHex} events {reference.Events} t={reference.SimTimePs}";
            }

            for (int i = 0; i < r.Components.Count; i++)
            {
                var a = reference.Components[i];
                var b = r.Components[i];
                if (a.Digest != b.Digest || !a.Counters.OrderBy(kv => kv.Key).SequenceEqual(b.Counters.OrderBy(kv => kv.Key)))
                {
                    return $"{layout}: component {b.Id} ({b.Kind}) differs from {refLayout}";
                }
            }
        }

        return null;
    }
}
