using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// A process of the bare OS: its operation stream (as an execution context), its page table from virtual to machine
/// pages, filled on first touch, and its file position for disk reads.
/// </summary>
public sealed class BareProcess
{
    private readonly Dictionary<long, long> _pageTable = [];
    private readonly SharedRegion[] _shared;

    public BareProcess(int pid, int asid, IOperationSource source, IReadOnlyList<SharedRegion>? shared = null)
    {
        Pid = pid;
        Context = new ExecutionStream(source, ExecutionMode.User, asid);
        _shared = [.. shared ?? []];
        NextSector = (long)pid * 4096 * 8;
    }

    public int Pid { get; }

    public ExecutionStream Context { get; }

    public int Asid => Context.Asid;

    public ProcessState State { get; set; }

    /// <summary>The disk request the process waits for (when blocked).</summary>
    public long WaitingFor { get; set; } = -1;

    /// <summary>Where its next file read starts on its disk.</summary>
    public long NextSector { get; set; }

    public int MappedPages => _pageTable.Count;

    public bool TryTranslatePage(long vpn, out long machinePage) => _pageTable.TryGetValue(vpn, out machinePage);

    public void Map(long vpn, long machinePage) => _pageTable[vpn] = machinePage;

    /// <summary>The shared segment a virtual page belongs to and its index there, or (-1, vpn) for a private page.</summary>
    public (int Segment, long Index) FaultKey(long vpn)
    {
        long address = vpn << MachineConstants.PageShift;
        foreach (var r in _shared)
        {
            if (r.Contains(address))
            {
                return (r.Segment, vpn - (r.BaseAddress >> MachineConstants.PageShift));
            }
        }

        return (-1, vpn);
    }

    public void Save(ref StateWriter writer)
    {
        writer.Write((int)State);
        writer.Write(WaitingFor);
        writer.Write(NextSector);
        writer.WriteCount(_pageTable.Count);
        foreach (var (vpn, page) in _pageTable.OrderBy(kv => kv.Key))
        {
            writer.Write(vpn);
            writer.Write(page);
        }

        Context.Save(ref writer);
    }

    public void Load(ref StateReader reader, long machinePages)
    {
        State = (ProcessState)reader.ReadInt("process state", 0, (int)ProcessState.Exited);
        WaitingFor = reader.ReadLong("waiting for", -1, long.MaxValue);
        NextSector = reader.ReadLong("next sector", 0, long.MaxValue);
        _pageTable.Clear();
        int n = reader.ReadCount("page table", (int)Math.Min(int.MaxValue, machinePages));
        for (int i = 0; i < n; i++)
        {
            long vpn = reader.ReadLong("vpn", 0, long.MaxValue);
            _pageTable[vpn] = reader.ReadLong("machine page", 0, machinePages - 1);
        }

        Context.Load(ref reader);
    }
}
