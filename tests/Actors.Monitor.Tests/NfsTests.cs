using Disco.Actors.Monitor.Guest;
using Disco.Actors.Monitor.Memory;
using Disco.Actors.Monitor.Model;
using Disco.Actors.Monitor.Vcpus;

namespace Disco.Actors.Monitor.Tests;

/// <summary>The virtual network with NFS: a server VM holds the files, clients read them by remapping its pages.</summary>
public class NfsTests
{
    private static Engine.Model.SimulationModel Build(int vms, int nodes = 2, bool warmServer = true, int threads = 4, bool check = true)
    {
        var machine = GuestRuns.Machine(nodes) with { Disks = 3 };
        var monitor = GuestRuns.Monitor with { Vms = vms, Nfs = true, NfsServerMemoryBytes = 24L << 20, CheckInvariants = check };
        return GuestRuns.Build(GuestRuns.Pmake(jobs: 2, warm: true), underMonitor: true, monitor: monitor, machine: machine, guest: GuestRuns.Guest with { NfsWarmCache = warmServer, NfsThreads = threads });
    }

    private static (Engine.Run.RunResult Result, Engine.Model.SimulationModel Model) Run(int vms, int nodes = 2, bool warmServer = true, int threads = 4)
    {
        var model = Build(vms, nodes, warmServer, threads);
        return (Engine.Kernel.SequentialKernel.Run(model), model);
    }

    [Fact]
    public void An_NFS_read_of_whole_pages_remaps_them_and_client_and_server_share_the_machine_page()
    {
        var (r, model) = Run(vms: 3);
        long replies = r.Counter("network.nfs_replies");
        Assert.True(replies > 0);
        Assert.Equal(r.Counter("network.nfs_requests"), replies);
        Assert.True(r.Counter("network.bytes_remapped") >= replies * 4096);
        Assert.Equal(0, r.Counter("disk_requests.issued")); // a warm server answers from its cache, the clients never read a disk
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
    public void A_cold_server_reads_each_block_from_its_disk_once_and_answers_the_same_requests()
    {
        var (warm, _) = Run(vms: 3);
        var (cold, model) = Run(vms: 3, warmServer: false);
        Assert.Equal(warm.Counter("network.nfs_requests"), cold.Counter("network.nfs_requests"));
        Assert.Equal(cold.Counter("network.nfs_requests"), cold.Counter("network.nfs_replies"));
        Assert.Equal(cold.Counter("network.nfs_requests"), cold.Counter("service.nfs_serve.count"));

        // The server's first request for a block reads it from its disk, through the virtual disk and the page
        // manager; the second client to ask finds it in the server's buffer cache.
        long waits = cold.Counter("guest.nfs.disk_waits");
        var server = GuestMachine.Vcpus(model).Single(v => v.Vm == 0);
        long serverReads = server.Kernel.DiskReads;
        Assert.True(serverReads > 0, "a cold server reads its disk");
        Assert.InRange(serverReads, 1, waits); // two requests for a block in flight wait for the same read
        Assert.True(waits < cold.Counter("guest.nfs.requests"), $"{waits} of {cold.Counter("guest.nfs.requests")} requests waited for the disk: the second client hits the server's cache");
        Assert.True(cold.Counter("disk_requests.issued") >= serverReads, $"issued {cold.Counter("disk_requests.issued")}, server reads {serverReads}");
        Assert.Equal(0, warm.Counter("guest.nfs.disk_waits"));
        Assert.Equal(0, warm.Counter("disk_requests.issued"));
        Assert.True(GuestRuns.TimePs(cold, Hardware.Processor.ExecutionMode.User) == GuestRuns.TimePs(warm, Hardware.Processor.ExecutionMode.User), "the clients do the same work");
    }

    [Fact]
    public void With_more_clients_than_nfsd_threads_requests_wait_in_order()
    {
        var (one, _) = Run(vms: 5, nodes: 4, warmServer: false, threads: 1);
        var (many, _) = Run(vms: 5, nodes: 4, warmServer: false, threads: 64);
        Assert.Equal(one.Counter("guest.nfs.requests"), many.Counter("guest.nfs.requests"));
        Assert.True(one.Counter("guest.nfs.queued") > 0, "four clients and one nfsd: requests queue");
        Assert.True(one.Counter("guest.nfs.queue_wait_ps") > 0);
        Assert.Equal(0, many.Counter("guest.nfs.queued"));
        Assert.Equal(0, many.Counter("guest.nfs.queue_wait_ps"));
        Assert.Equal(one.Counter("network.nfs_requests"), one.Counter("network.nfs_replies"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NFS_runs_give_one_digest_on_every_engine(bool warmServer)
    {
        var runs = Testing.EngineMatrix.RunAll(() => Build(vms: 4, nodes: 2, warmServer, threads: 2, check: false), partitions: [0, 2], threads: [2]);
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
