using Disco.Actors.Engine.Configuration;

namespace Disco.Actors.Monitor.Numa;

/// <summary>Reads <c>disco.monitor.numa</c>; every bad value names its key.</summary>
public static class NumaConfig
{
    public const string Root = "disco.monitor.numa.";

    public static NumaParams Read(SimConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        const string n = Root;
        var p = new NumaParams
        {
            Enabled = config.GetBool(n + "enabled"),
            Replicate = config.GetBool(n + "replicate"),
            SharingThreshold = config.GetInt(n + "sharing-threshold"),
            WriteThreshold = config.GetInt(n + "write-threshold"),
            MoveLimit = config.GetInt(n + "move-limit"),
            BounceLimit = config.GetInt(n + "bounce-limit"),
            FreezePs = config.GetSimTime(n + "freeze").Ps,
            PolicyPs = config.GetSimTime(n + "policy-cost").Ps,
        };
        foreach (var (key, problem) in p.Problems())
        {
            throw config.Error(n + key, problem);
        }

        return p;
    }
}
