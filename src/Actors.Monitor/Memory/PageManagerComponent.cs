using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;
using Disco.Actors.Engine.Time;
using Disco.Actors.Hardware.Machine;

namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// The page manager as a component (<c>monitor.pages</c>): one for the machine, because pmaps and memmap are
/// machine-wide. A processor's monitor asks it for the machine page behind a guest-physical page the first time that
/// processor needs it; the round trip's latency is the cost of filling a pmap entry.
/// </summary>
public sealed class PageManagerComponent : Component
{
    public const string KindName = "monitor.pages";

    private readonly PageManager _pages;
    private readonly MachineLayout _layout;
    private readonly long _replyLatencyPs;
    private readonly bool _checkInvariants;
    private long _requests;

    public PageManagerComponent(ComponentId id, PageManager pages, MachineLayout layout, long replyLatencyPs, bool checkInvariants)
        : base(id)
    {
        ArgumentNullException.ThrowIfNull(pages);
        ArgumentNullException.ThrowIfNull(layout);
        _pages = pages;
        _layout = layout;
        _replyLatencyPs = replyLatencyPs;
        _checkInvariants = checkInvariants;
    }

    public override string Kind => KindName;

    public override int PlacementKey => 0;

    public PageManager Pages => _pages;

    public override void Handle(ISimMessage message, IContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (message is not MachinePageRequest m)
        {
            throw new InvalidOperationException($"{this}: unexpected {message.GetType().Name}");
        }

        _requests++;
        long page = _pages.Translate(m.Vm, m.GuestPage, m.Node.Value);
        if (_checkInvariants && _pages.Disagreement() is { } problem)
        {
            throw new InvalidOperationException($"{this}: {problem}");
        }

        context.Send(_layout.Processor(m.Node.Value), new SimTime(_replyLatencyPs), new MachinePageGrant(m.Vm, m.GuestPage, new MachinePage(page)));
    }

    public override void ReportStats(IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        sink.Add("memory_pages.machine", _pages.MachinePagesInUse);
        sink.Add("monitor.pmap_fills", _requests);
        sink.Add("monitor.remote_allocations", _pages.RemoteAllocations);
        foreach (int vm in _pages.Vms)
        {
            sink.Add($"vm.{vm}.memory_pages.machine", _pages.Pmap(vm).Count);
        }
    }

    protected override void SaveState(ref StateWriter writer)
    {
        writer.Write(_requests);
        _pages.Save(ref writer);
    }

    protected override void LoadState(ref StateReader reader)
    {
        _requests = reader.ReadLong("requests", 0, long.MaxValue);
        _pages.Load(ref reader);
    }
}
