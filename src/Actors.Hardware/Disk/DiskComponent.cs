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
    private readonly long _pagesPerNode;
    private readonly long[] _directoryLatencyPs;
    private LinkTable? _links;

    // State (checkpointed, in this order).
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
        _pagesPerNode = parameters.PagesPerNode;
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
            int home = (int)(page / _pagesPerNode);
            _pages++;
            context.Send(_layout.Directory(home), new SimTime(_directoryLatencyPs[home]), new DmaRequest(new MachinePage(page), _index, _nextTag++, ToMemory: !request.Write));
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

    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add("hw.disk.requests", _requests);
        sink.Add("hw.disk.pages", _pages);
        sink.Add("hw.disk.busy_ps", _busyPs);
        sink.Add("hw.disk.seek_ps", _seekPs);
        sink.Add("hw.disk.rotation_ps", _rotationPs);
        sink.Add("hw.disk.transfer_ps", _transferPs);
    }

    protected override void SaveState(ref StateWriter writer)
    {
        writer.WriteCount(_queue.Count);
        foreach (var r in _queue)
        {
            writer.Write(r);
        }

        writer.Write(_current is not null);
        if (_current is not null)
        {
            writer.Write(_current);
        }

        writer.Write(_cylinder);
        writer.Write(_dmaRemaining);
        writer.Write(_nextTag);
        long[] counters = [_requests, _pages, _busyPs, _seekPs, _rotationPs, _transferPs];
        writer.Write(counters);
    }

    protected override void LoadState(ref StateReader reader)
    {
        _queue.Clear();
        int n = reader.ReadCount("disk queue", 1 << 20);
        for (int i = 0; i < n; i++)
        {
            _queue.Enqueue(ReadRequest(ref reader));
        }

        _current = reader.ReadBool("disk busy") ? ReadRequest(ref reader) : null;
        _cylinder = reader.ReadInt("cylinder", 0, _mechanism.Parameters.Cylinders - 1);
        _dmaRemaining = reader.ReadInt("dma remaining", 0, DiskRequest.MaxPages);
        _nextTag = reader.ReadLong("next tag", 0, long.MaxValue);
        long[] c = reader.ReadLongArray("disk counters", 6);
        if (c.Length != 6 || c.Any(v => v < 0))
        {
            throw new CorruptStateException($"{this}: malformed counters");
        }

        (_requests, _pages, _busyPs, _seekPs, _rotationPs, _transferPs) = (c[0], c[1], c[2], c[3], c[4], c[5]);
    }

    private static DiskRequest ReadRequest(ref StateReader reader) =>
        reader.ReadMessage("disk request") as DiskRequest ?? throw new CorruptStateException("disk queue: not a disk request");
}
