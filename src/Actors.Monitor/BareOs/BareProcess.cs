using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// A process of the bare OS: its operation stream (as an execution context), its page table from virtual to machine
/// pages, filled on first touch, and its file position for disk reads.
/// </summary>
public sealed class BareProcess : IStateful
{
    private readonly SharedRegion[] _shared;
    private readonly long _machinePages;

    // State: see DeclareState.
    private ProcessState _state;
    private long _waitingFor = -1;
    private long _nextSector;
    private readonly Dictionary<long, long> _pageTable = [];

    public BareProcess(int pid, int asid, IOperationSource source, long machinePages, IReadOnlyList<SharedRegion>? shared = null)
    {
        Pid = pid;
        Context = new ExecutionStream(source, ExecutionMode.User, asid);
        _machinePages = machinePages;
        _shared = [.. shared ?? []];
        _nextSector = (long)pid * 4096 * 8;
    }

    public int Pid { get; }

    public ExecutionStream Context { get; }

    public int Asid => Context.Asid;

    public ProcessState State { get => _state; set => _state = value; }

    /// <summary>The disk request the process waits for (when blocked), or -1.</summary>
    public long WaitingFor { get => _waitingFor; set => _waitingFor = value; }

    /// <summary>Where its next file read starts on its disk.</summary>
    public long NextSector { get => _nextSector; set => _nextSector = value; }

    public int MappedPages => _pageTable.Count;

    public bool TryTranslatePage(long vpn, out long machinePage) => _pageTable.TryGetValue(vpn, out machinePage);

    public void Map(long vpn, long machinePage) => _pageTable[vpn] = machinePage;

    /// <summary>The shared region's page a virtual page is, or <see cref="SegmentPage.Private"/>.</summary>
    public SegmentPage FaultKey(long vpn)
    {
        long address = vpn << MachineConstants.PageShift;
        foreach (var r in _shared)
        {
            if (r.Contains(address))
            {
                return new SegmentPage(r.Segment, vpn - (r.BaseAddress >> MachineConstants.PageShift));
            }
        }

        return SegmentPage.Private;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Enum("process state", ref _state);
        io.Long("waiting for", ref _waitingFor, -1);
        io.Long("next sector", ref _nextSector, 0);
        io.LongMap("page table", _pageTable, (int)Math.Min(int.MaxValue, _machinePages), 0, long.MaxValue, 0, _machinePages - 1);
        io.Part(Context);
    }
}
