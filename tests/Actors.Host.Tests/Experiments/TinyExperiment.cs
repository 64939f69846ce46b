using Disco.Actors.Testing;

namespace Disco.Actors.Host.Tests.Experiments;

/// <summary>
/// A study small enough for a test (three pmake runs of a few seconds: bare, under Disco, and two VMs on eight
/// processors), with every figure and table, written into a temporary folder with absolute scenario paths.
/// </summary>
internal static class TinyExperiment
{
    private const string Small = "\"workload.pmake.processes=3\", \"workload.pmake.instructions=100000\"";

    public static string Write(string name = "tiny", string checkpointEvery = "2ms", string extraRunKeys = "", string extraTopKeys = "")
    {
        string dir = Repo.TempDir("experiments");
        string pmake = Repo.Scenario("pmake.hocon");
        string twoVms = Repo.Scenario("scaling-pmake-2vm.hocon");
        string path = Path.Combine(dir, name + ".hocon");
        File.WriteAllText(path, $$"""
            experiment {
              title = "A tiny study"
              figures = [figure5, figure6, figure7, figure8]
              tables = [table2, table3]
              small { repeat = 1, checkpoint-every = {{checkpointEvery}}, checkpoint-wall-every = off, progress-every = 1ms, set = [{{Small}}] }
              {{extraTopKeys}}
              runs = [
                { id = irix, scenario = "{{pmake}}", group = pmake, label = IRIX {{extraRunKeys}} }
                { id = disco, scenario = "{{pmake}}", group = pmake, label = Disco, set = ["monitor.enabled=true"] }
                { id = two-vms, scenario = "{{twoVms}}", group = smp, label = "2VM" }
              ]
            }
            """);
        return path;
    }
}
