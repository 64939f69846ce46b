using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;

namespace Disco.Actors.Engine.Phold;

/// <summary>Builds the PHOLD model: N LPs, every one linked to every other with latency L.</summary>
public static class PholdModel
{
    public const string Name = "phold";

    /// <param name="end">End of simulated time; PHOLD's own END when not given.</param>
    public static SimulationModel Build(PholdParams parameters, long seed, SimTime? end = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var problem = parameters.Problems().FirstOrDefault();
        if (problem.Key is not null)
        {
            throw new ArgumentException($"phold.{problem.Key} {problem.Problem}");
        }

        var lps = new Component[parameters.Lps];
        for (int i = 0; i < lps.Length; i++)
        {
            lps[i] = new PholdLp(new ComponentId(i), parameters);
        }

        var messages = new MessageCatalog().Register<PholdEvent>(PholdEvent.KindCode);
        return new SimulationModel(Name, lps, new LinkTable(lps.Length, parameters.LookaheadTime), end ?? parameters.EndTime, seed, messages);
    }
}
