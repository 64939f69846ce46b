using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;
using Disco.Actors.Monitor.Workloads;

namespace Disco.Actors.Monitor.Guest;

public enum GuestProcessState
{
    Runnable = 0,

    /// <summary>Asleep in the kernel until a disk read it waits for completes.</summary>
    Blocked = 1,

    Exited = 2,
}

/// <summary>
/// A process of the guest: its job's operation stream, its page table (user page → guest-physical page, writable or
/// not) and the pages holding that table, and, while it sleeps in the kernel, the rest of the service to finish when
/// it runs again.
/// </summary>
public sealed class GuestProcess
{
    private const long Valid = 1;
    private const long Writable = 2;

    private readonly Dictionary<long, long> _pageTable = [];
    private readonly Dictionary<long, long> _tablePages = [];

    public GuestProcess(int asid, int job, int program, GuestProgramSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Asid = asid;
        Job = job;
        Program = program;
        Source = source;
        Stream = new ExecutionStream(source, ExecutionMode.User, asid);
    }

    public int Asid { get; }

    public int Job { get; }

    public int Program { get; }

    public GuestProgramSource Source { get; }

    public ExecutionStream Stream { get; }

    public GuestProcessState State { get; set; }

    /// <summary>False until fork and execve have run for it.</summary>
    public bool Started { get; set; }

    /// <summary>The disk request it sleeps on (when blocked).</summary>
    public long WaitingFor { get; set; } = -1;

    /// <summary>The service to finish when it runs again (-1: none), with its argument and page count.</summary>
    public int ResumeService { get; set; } = -1;

    public long ResumeArgument { get; set; }

    public int ResumeCount { get; set; }

    /// <summary>Blocks until disk request <paramref name="requestId"/> completes, then <paramref name="service"/> resumes.</summary>
    public void Sleep(long requestId, KernelService service, long argument, int count)
    {
        State = GuestProcessState.Blocked;
        WaitingFor = requestId;
        ResumeService = (int)service;
        ResumeArgument = argument;
        ResumeCount = count;
    }

    public int MappedPages => _pageTable.Count;

    public IEnumerable<long> TablePages => _tablePages.Values;

    public bool TryTranslate(long vpn, out long guestPage, out bool writable)
    {
        if (_pageTable.TryGetValue(vpn, out long pte) && (pte & Valid) != 0)
        {
            guestPage = pte >> 2;
            writable = (pte & Writable) != 0;
            return true;
        }

        guestPage = -1;
        writable = false;
        return false;
    }

    public void Map(long vpn, long guestPage, bool writable) => _pageTable[vpn] = (guestPage << 2) | Valid | (writable ? Writable : 0);

    /// <summary>The guest-physical page of page-table page <paramref name="tablePage"/>, or -1.</summary>
    public long TablePage(long tablePage) => _tablePages.TryGetValue(tablePage, out long page) ? page : -1;

    public void SetTablePage(long tablePage, long guestPage) => _tablePages[tablePage] = guestPage;

    /// <summary>Private (writable) pages: freed when the process exits; file pages stay in the buffer cache.</summary>
    public IEnumerable<long> PrivatePages() => _pageTable.Values.Where(p => (p & Writable) != 0).Select(p => p >> 2).Order();

    public IEnumerable<(long Vpn, long GuestPage, bool Writable)> Mappings() =>
        _pageTable.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value >> 2, (kv.Value & Writable) != 0));

    public void Save(ref StateWriter writer)
    {
        writer.Write((int)State);
        writer.Write(Started);
        writer.Write(WaitingFor);
        writer.Write(ResumeService);
        writer.Write(ResumeArgument);
        writer.Write(ResumeCount);
        WriteMap(ref writer, _pageTable);
        WriteMap(ref writer, _tablePages);
        Stream.Save(ref writer);
    }

    public void Load(ref StateReader reader)
    {
        State = (GuestProcessState)reader.ReadInt("process state", 0, (int)GuestProcessState.Exited);
        Started = reader.ReadBool("process started");
        WaitingFor = reader.ReadLong("waiting for", -1, long.MaxValue);
        ResumeService = reader.ReadInt("resume service", -1, KernelServices.Count - 1);
        ResumeArgument = reader.ReadLong("resume argument");
        ResumeCount = reader.ReadInt("resume count", 0, 1 << 20);
        ReadMap(ref reader, _pageTable, "page table");
        ReadMap(ref reader, _tablePages, "page-table pages");
        Stream.Load(ref reader);
    }

    private static void WriteMap(ref StateWriter writer, Dictionary<long, long> map)
    {
        writer.WriteCount(map.Count);
        foreach (var (k, v) in map.OrderBy(kv => kv.Key))
        {
            writer.Write(k);
            writer.Write(v);
        }
    }

    private static void ReadMap(ref StateReader reader, Dictionary<long, long> map, string what)
    {
        map.Clear();
        int n = reader.ReadCount(what, 1 << 26);
        for (int i = 0; i < n; i++)
        {
            long k = reader.ReadLong(what);
            map[k] = reader.ReadLong(what);
        }
    }
}
