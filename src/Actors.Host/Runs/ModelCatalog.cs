using Disco.Actors.Engine.Configuration;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.Phold;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Monitor.BareOs;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Host.Runs;

/// <summary>Builds the model a configuration names (<c>disco.model</c>), validating its parameters by key.</summary>
internal static class ModelCatalog
{
    public static readonly string[] Models = [PholdModel.Name, BareMachine.ModelName, GuestMachine.ModelName];

    public static SimulationModel Build(SimConfig config)
    {
        string model = config.GetOneOf("disco.model", Models);
        long seed = config.GetLong("disco.seed");
        var built = model switch
        {
            BareMachine.ModelName => BuildMachine(config, seed),
            GuestMachine.ModelName => BuildGuest(config, seed),
            _ => BuildPhold(config, seed),
        };
        built.TieOrder = TieOrderOf(config);
        return built;
    }

    /// <summary>The run's tie order (<c>disco.engine.tie-order</c>).</summary>
    public static TieOrder TieOrderOf(SimConfig config)
    {
        const string key = "disco.engine.tie-order";
        return TieOrder.TryParse(config.GetString(key), out string problem) ?? throw config.Error(key, problem);
    }

    /// <summary>The end of simulated time: <c>disco.end</c> unless it says "model", then the model's own.</summary>
    public static SimTime EndTime(SimConfig config, SimTime modelEnd)
    {
        if (config.GetString("disco.end") == "model")
        {
            return modelEnd;
        }

        var end = config.GetSimTime("disco.end");
        return end.Ps > 0 ? end : throw config.Error("disco.end", $"must be after time 0 (got {end})");
    }

    public static PholdParams PholdParameters(SimConfig config)
    {
        const string at = "disco.phold.";
        var p = new PholdParams(
            Lps: config.GetInt(at + "lps"),
            Population: config.GetInt(at + "population"),
            Mean: config.GetDouble(at + "mean"),
            Lookahead: config.GetDouble(at + "lookahead"),
            Remote: config.GetDouble(at + "remote"),
            End: config.GetDouble(at + "end"),
            IntegerDelays: config.GetBool(at + "integer-delays"));
        foreach (var (key, problem) in p.Problems())
        {
            throw config.Error(at + key, problem);
        }

        return p;
    }

    /// <summary>The FLASH-like machine running the bare OS stub and its workload; by default it runs until every process has finished.</summary>
    private static SimulationModel BuildMachine(SimConfig config, long seed)
    {
        var machine = MachineConfig.ReadMachine(config);
        var os = BareOsConfig.ReadBareOs(config);
        var workload = WorkloadConfig.ReadPlan(config, machine);
        return BareMachine.Build(machine, os, workload.CreateProcesses(machine.Nodes, seed), EndTime(config, SimTime.Infinity), seed);
    }

    /// <summary>The guest OS and its workload on the machine, bare or under the monitor; by default until every job has exited.</summary>
    private static SimulationModel BuildGuest(SimConfig config, long seed)
    {
        var machine = MachineConfig.ReadMachine(config);
        var guest = GuestConfig.ReadGuest(config);
        var monitor = GuestConfig.ReadMonitor(config);
        var workload = GuestConfig.ReadWorkload(config);
        var moves = GuestConfig.ReadMoves(config, monitor, machine.Nodes);
        return GuestMachine.Build(machine, guest, workload, monitor, GuestConfig.MonitorEnabled(config), EndTime(config, SimTime.Infinity), seed, moves);
    }

    private static SimulationModel BuildPhold(SimConfig config, long seed)
    {
        var p = PholdParameters(config);
        return PholdModel.Build(p, seed, EndTime(config, p.EndTime));
    }
}
