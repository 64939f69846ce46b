using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Tests;

/// <summary>The virtual network with NFS: a server VM holds the files, clients read them by remapping its pages.</summary>
public class NfsTests
{
    private static (Engine.Run.RunResult Result, Engine.Model.SimulationModel Model) Run(int vms, int nodes = 2)
    {
        var machine = GuestRuns.Machine(nodes) with { Disks = 3 };
        var monitor = GuestRuns.Monitor with { Vms = vms, Nfs = true, NfsServerMemoryBytes = 24L << 20 };
        return GuestRuns.Run(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: true, monitor: monitor, machine: machine);
    }

    [Fact]
    public void An_NFS_read_of_whole_pages_remaps_them_and_client_and_server_share_the_machine_page()
    {
        var (r, model) = Run(vms: 3);
        long replies = r.Counter("network.nfs_replies");
        Assert.True(replies > 0);
        Assert.Equal(r.Counter("network.nfs_requests"), replies);
        Assert.True(r.Counter("network.bytes_remapped") >= replies * 4096);
        Assert.Equal(0, r.Counter("disk_requests.issued")); // the server answers from its cache, the clients never read a disk
        Assert.Equal(2 * 2, r.Counter("service.exit.count")); // two clients ran their jobs; the server ran none
        Assert.Equal(r.Counter("network.nfs_requests"), r.Counter("service.nfs_serve.count"));

        // Every data block a client cached is the very machine page the server holds it in.
        var pages = model.Components.OfType<PageManagerComponent>().Single().Pages;
        var server = GuestMachine.Vcpus(model).Single(v => v.Vm == 0);
        int sharedWithServer = 0;
        foreach (int client in new[] { 1, 2 })
        {
            foreach (var (guestPage, machinePage) in pages.Pmap(client))
            {
                var mappers = pages.Memmap(machinePage);
                if (mappers.Any(m => m.Vm == 0) && mappers.All(m => !pages.IsWritable(m.Vm, m.Page)))
                {
                    sharedWithServer++;
                }
            }
        }

        Assert.True(sharedWithServer > 0, "clients map the server's file pages");
        Assert.Null(pages.Disagreement());
        Assert.True(server.Kernel.ServiceCount(KernelService.NfsServe) > 0);
    }

    [Fact]
    public void NFS_runs_give_one_digest_on_every_engine()
    {
        var machine = GuestRuns.Machine(2) with { Disks = 3 };
        var monitor = GuestRuns.Monitor with { Vms = 3, Nfs = true, NfsServerMemoryBytes = 24L << 20, CheckInvariants = false };
        var runs = Testing.EngineMatrix.RunAll(() => GuestRuns.Build(GuestRuns.Pmake(jobs: 2, warm: true), true, monitor: monitor, machine: machine), partitions: [0, 2], threads: [2]);
        Assert.Null(Testing.EngineMatrix.Disagreement(runs));
    }

    [Fact]
    public void NFS_needs_a_warm_server_cache_and_two_disks()
    {
        var monitor = GuestRuns.Monitor with { Vms = 2, Nfs = true };
        var cold = Assert.Throws<Engine.Configuration.BadInputException>(() => GuestRuns.Build(GuestRuns.Pmake(), true, monitor: monitor, machine: GuestRuns.Machine(1) with { Disks = 2 }));
        Assert.Contains("warm-cache", cold.Message, StringComparison.Ordinal);
        var oneDisk = Assert.Throws<Engine.Configuration.BadInputException>(() => GuestRuns.Build(GuestRuns.Pmake(warm: true), true, monitor: monitor, machine: GuestRuns.Machine(1)));
        Assert.Contains("disk.count", oneDisk.Message, StringComparison.Ordinal);
    }
}
