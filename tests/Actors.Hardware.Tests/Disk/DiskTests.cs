using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Kernel;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Caches;
using Disco.Actors.Hardware.Disk;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Hardware.Tests.Machine;
using Disco.Actors.Testing;

namespace Disco.Actors.Hardware.Tests.Disk;

public class DiskTests
{
    private static readonly DiskMechanism Hp97560 = new(new DiskParams());

    [Fact]
    public void The_seek_curve_is_the_HP_97560_one()
    {
        Assert.Equal(0, Hp97560.SeekPs(0));
        Assert.Equal(3_640_000_000, Hp97560.SeekPs(1));                  // 3.24 + 0.4 * 1 ms
        Assert.Equal(7_240_000_000, Hp97560.SeekPs(100));                // 3.24 + 0.4 * 10 ms
        Assert.Equal(11_064_000_000, Hp97560.SeekPs(383));               // 8.00 + 0.008 * 383 ms
        Assert.True(Hp97560.SeekPs(382) < Hp97560.SeekPs(1961));
    }

    [Fact]
    public void Rotation_waits_for_the_sector_to_come_round_and_transfer_runs_at_the_sustained_rate()
    {
        long rotation = 60_000_000_000_000L / 4002; // 14.99 ms at 4002 RPM
        Assert.Equal(rotation, new DiskParams().RotationPs);
        long sectorPs = rotation / 72;
        Assert.Equal(0, Hp97560.RotationalDelayPs(0, 0));
        Assert.Equal(10 * sectorPs, Hp97560.RotationalDelayPs(0, 10));
        Assert.Equal(rotation - sectorPs, Hp97560.RotationalDelayPs(sectorPs, 0)); // just missed it: a whole turn
        Assert.Equal(1_861_818_182, Hp97560.TransferPs(4096));                    // 4 KB at 2.2 MB/s
        var s = Hp97560.Service(0, 0, 72L * 19 * 100, 4096);                      // cylinder 100
        Assert.Equal(Hp97560.SeekPs(100), s.SeekPs);
        Assert.Equal(s.OverheadPs + s.SeekPs + s.RotationPs + s.TransferPs, s.TotalPs);
    }

    /// <summary>Sends disk requests at given times, records completions.</summary>
    private sealed class Requester(ComponentId id, ComponentId disk, params (long AtPs, DiskRequest Request)[] script) : Component(id)
    {
        public List<(long AtPs, long Request)> Completions { get; } = [];

        public override string Kind => "test.requester";

        public override void Start(IContext context)
        {
            foreach (var (at, request) in script)
            {
                context.Send(disk, new SimTime(at + 1_000_000), request);
            }
        }

        public override void Handle(ISimMessage message, IContext context) =>
            Completions.Add((context.Now.Ps, ((DiskComplete)message).RequestId));

        protected override void SaveState(ref StateWriter writer)
        {
        }

        protected override void LoadState(ref StateReader reader)
        {
        }
    }

    [Fact]
    public void A_disk_read_DMAs_into_memory_invalidating_cached_copies_then_interrupts_the_requester()
    {
        var p = TestMachine.Small() with { Disks = 1 };
        long page = p.PagesPerNode; // first page of node 1
        long address = page * TestMachine.PageBytes;
        // Processor 0 reads the page's first line (it then holds it exclusive), then idles long past the disk read.
        var supervisors = new IdentitySupervisor[2];
        var builder = new MachineBuilder(p, n => supervisors[n] = new IdentitySupervisor(new ScriptedSource(n == 0 ? [Operation.Load(address, 8), Operation.Idle(100_000_000_000)] : [])));
        var requesterId = new ComponentId(builder.NextId);
        var requester = builder.Add(new Requester(requesterId, builder.Layout.Disk(0), (0, new DiskRequest(5, Write: false, Sector: 0, [page, page + 1], requesterId)), (0, new DiskRequest(6, Write: false, Sector: 72 * 19 * 50, [page + 2], requesterId))));
        builder.Connect(requesterId, builder.Layout.Disk(0), 1_000_000);
        builder.Connect(builder.Layout.Disk(0), requesterId, 1_000_000);
        var model = builder.Build("disk-test", SimTime.Infinity, 1);
        var processors = model.Components.OfType<ProcessorComponent>().ToArray();
        var directories = model.Components.OfType<Hardware.Coherence.DirectoryComponent>().ToArray();
        var disk = model.Components.OfType<DiskComponent>().Single();

        SequentialKernel.Run(model);

        // Completions in FIFO order, the second after the first's service plus its own.
        Assert.Equal([5L, 6L], requester.Completions.Select(c => c.Request));
        var first = Hp97560.Service(1_000_000, 0, 0, 2 * 4096);
        Assert.True(requester.Completions[0].AtPs > 1_000_000 + first.TotalPs);
        Assert.True(requester.Completions[1].AtPs > requester.Completions[0].AtPs + Hp97560.SeekPs(50));
        // The DMA took the line away from processor 0's cache and memory owns it again.
        Assert.Equal(L2State.Invalid, processors[0].Caches.StateOf(address >> p.L2.LineShift));
        Assert.Equal(Hardware.Coherence.DirectoryState.Uncached, directories[1].Directory.View(new LineAddress(address >> p.L2.LineShift)).State);
        Assert.Equal(3, directories[1].Directory.DmaPages);
        Assert.Equal(1, directories[1].Directory.InvalidationsSent);
        Assert.Equal(0, disk.QueueLength);
    }
}
