using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.Model;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Coherence;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Hardware.Disk;

/// <summary>
/// A disk on a node's I/O bus: a FIFO request queue, the mechanism's service time (controller overhead, seek,
/// rotation, transfer), then DMA of every page through its home directory (which keeps the caches coherent), then a
/// completion interrupt to the requester.
/// </summary>
public sealed class DiskComponent : Component
{
    public const string KindName = "hw.disk";

    private readonly int _index;
    private readonly int _node;
    private readonly DiskMechanism _mechanism;
    private readonly MachineLayout _layout;
    private readonly HomeMap _homes;
    private readonly long[] _directoryLatencyPs;
    private LinkTable? _links;

    // State: DeclareState lists it.
    private readonly Queue<DiskRequest> _queue = new();
    private DiskRequest? _current;
    private int _cylinder;
    private int _dmaRemaining;
    private long _nextTag;
    private long _requests;
    private long _pages;
    private long _busyPs;
    private long _seekPs;
    private long _rotationPs;
    private long _transferPs;

    public DiskComponent(ComponentId id, int index, MachineParams parameters, MachineLayout layout, long[] directoryLatencyPs)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(directoryLatencyPs);
        _index = index;
        _layout = layout;
        _node = layout.NodeOfDisk(index);
        _mechanism = new DiskMechanism(parameters.Disk);
        _homes = HomeMap.Of(parameters);
        _directoryLatencyPs = directoryLatencyPs;
    }

    public override string Kind => KindName;

    public override int PlacementKey => _node;

    public int QueueLength => _queue.Count + (_current is null ? 0 : 1);

    public void Wire(LinkTable links) => _links = links;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (message)
        {
            case DiskRequest m:
                On(m, context);
                break;
            case DiskTransferDone:
                OnTransferDone(context);
                break;
            case DmaDone m:
                On(m, context);
                break;
            default:
                throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }
    }

    private void On(DiskRequest m, IContext context)
    {
        if (m.Pages.Length == 0 || m.Pages.Length > DiskRequest.MaxPages)
        {
            throw new InvalidOperationException($"{this}: a request must move 1 to {DiskRequest.MaxPages} pages (got {m.Pages.Length})");
        }

        _requests++;
        _queue.Enqueue(m);
        if (_current is null)
        {
            StartNext(context);
        }
    }

    private void StartNext(IContext context)
    {
        if (!_queue.TryDequeue(out var next))
        {
            _current = null;
            return;
        }

        _current = next;
        long now = context.Now.Ps;
        long bytes = (long)next.Pages.Length * MachineConstants.PageSizeBytes;
        var service = _mechanism.Service(now, _cylinder, next.Sector, bytes);
        _cylinder = _mechanism.CylinderOf(next.Sector);
        _busyPs += service.TotalPs;
        _seekPs += service.SeekPs;
        _rotationPs += service.RotationPs;
        _transferPs += service.TransferPs;
        context.Send(Id, new SimTime(service.TotalPs), DiskTransferDone.Instance);
    }

    private void OnTransferDone(IContext context)
    {
        var request = _current ?? throw new InvalidOperationException($"{this}: transfer done with no request in service");
        _dmaRemaining = request.Pages.Length;
        foreach (long page in request.Pages)
        {
            int home = _homes.NodeOfPage(page);
            _pages++;
            context.Send(_layout.Directory(home), new SimTime(_directoryLatencyPs[home]), new DmaRequest(new MachinePage(page), new DmaKey(_index, _nextTag++), ToMemory: !request.Write));
        }
    }

    private void On(DmaDone m, IContext context)
    {
        var request = _current ?? throw new InvalidOperationException($"{this}: DMA of page {m.Page} done with no request in service");
        if (--_dmaRemaining > 0)
        {
            return;
        }

        var links = _links ?? throw new InvalidOperationException($"{this}: not wired to the model's links");
        context.Send(request.ReplyTo, new SimTime(links.RequiredDelayPs(Id.Value, request.ReplyTo.Value)), new DiskComplete(request.RequestId, _index));
        StartNext(context);
    }

    public override void DeclareState(ref StateIo io)
    {
        io.Queue("disk queue", _queue, 1 << 20, static (ref StateIo io, ref DiskRequest r) => io.Message("disk request", ref r));
        io.Optional("disk request in service", ref _current, static (ref StateIo io, ref DiskRequest r) => io.Message("disk request", ref r));
        io.Int("cylinder", ref _cylinder, 0, _mechanism.Parameters.Cylinders - 1);
        io.Int("dma remaining", ref _dmaRemaining, 0, DiskRequest.MaxPages);
        io.Long("next tag", ref _nextTag, 0);
        io.Counter("hw.disk.requests", ref _requests);
        io.Counter("hw.disk.pages", ref _pages);
        io.Counter("hw.disk.busy_ps", ref _busyPs);
        io.Counter("hw.disk.seek_ps", ref _seekPs);
        io.Counter("hw.disk.rotation_ps", ref _rotationPs);
        io.Counter("hw.disk.transfer_ps", ref _transferPs);
    }
}
