using Disco.Actors.Engine.Time;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Testing;

namespace Disco.Actors.Monitor.Tests;

/// <summary>
/// Every component of the guest models declares every field that changes: stopped part way (processes running,
/// disk reads and lock waits in flight), saved and loaded into a fresh model, each equals the original field by field.
/// </summary>
public class StateDeclarationTests
{
    [Theory]
    [InlineData(false, 1, 1, 2_000)]
    [InlineData(true, 1, 1, 2_000)]
    [InlineData(true, 2, 2, 3_000)]
    [InlineData(false, 2, 1, 3_000)]
    public void A_guest_model_part_way_loads_back_equal(bool underMonitor, int nodes, int vms, long endUs)
    {
        var monitor = GuestRuns.Monitor with { Vms = vms };
        var differences = StateCoverage.Differences(() => GuestMachine.Build(
            GuestRuns.Machine(nodes), GuestRuns.Guest, GuestRuns.Pmake(jobs: 6), monitor, underMonitor, new SimTime(endUs * 1_000_000), 3));
        Assert.Empty(differences);
    }
}
