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
public sealed class GuestProcess : IStateful
{

    private readonly Dictionary<long, GuestPte> _pageTable = [];
    private readonly Dictionary<long, long> _tablePages = [];
    private GuestProcessState _state;
    private bool _started;
    private long _waitingFor = -1;
    private int _resumeService = -1;
    private long _resumeArgument;
    private BlockKey _resumeBlock;
    private int _resumeCount;
    private long _readyPs;
    private int _lastPart;
    private bool _moved;

    /// <param name="home">SMP guests: the part that started it (whose job it is, whose seed its stream draws from).</param>
    public GuestProcess(int asid, int job, int program, GuestProgramSource source, int home = 0)
    {
        ArgumentNullException.ThrowIfNull(source);
        Home = home;
        _lastPart = home;
        Asid = asid;
        Job = job;
        Program = program;
        Source = source;
        Stream = new ExecutionStream(source, ExecutionMode.User, asid);
    }

    public int Asid { get; }

    /// <summary>SMP guests: the part that started it.</summary>
    public int Home { get; }

    /// <summary>SMP guests with a shared run queue: when it last became runnable without running (descheduled, woken, arrived).</summary>
    public long ReadyPs { get => _readyPs; set => _readyPs = value; }

    /// <summary>SMP guests with a shared run queue: the part it last ran on (its home until it runs).</summary>
    public int LastPart { get => _lastPart; set => _lastPart = value; }

    /// <summary>It arrived from another processor: its ASID's stale entries there go at its next switch in.</summary>
    public bool Moved { get => _moved; set => _moved = value; }

    public int Job { get; }

    public int Program { get; }

    public GuestProgramSource Source { get; }

    public ExecutionStream Stream { get; }

    public GuestProcessState State { get => _state; set => _state = value; }

    /// <summary>False until fork and execve have run for it.</summary>
    public bool Started { get => _started; set => _started = value; }

    /// <summary>The disk request it sleeps on (when blocked).</summary>
    public long WaitingFor { get => _waitingFor; set => _waitingFor = value; }

    /// <summary>The service to finish when it runs again (-1: none), with its arguments.</summary>
    public int ResumeService { get => _resumeService; set => _resumeService = value; }

    /// <summary>A file fault's virtual page.</summary>
    public long ResumeArgument { get => _resumeArgument; set => _resumeArgument = value; }

    /// <summary>The first block an open or a read needs.</summary>
    public BlockKey ResumeBlock { get => _resumeBlock; set => _resumeBlock = value; }

    /// <summary>The blocks a read needs.</summary>
    public int ResumeCount { get => _resumeCount; set => _resumeCount = value; }

    /// <summary>Blocks until disk request <paramref name="requestId"/> completes, then <paramref name="service"/> resumes.</summary>
    public void Sleep(long requestId, KernelService service, long argument = 0, BlockKey block = default, int count = 0)
    {
        State = GuestProcessState.Blocked;
        WaitingFor = requestId;
        ResumeService = (int)service;
        ResumeArgument = argument;
        ResumeBlock = block;
        ResumeCount = count;
    }

    public int MappedPages => _pageTable.Count;

    public IEnumerable<long> TablePages => _tablePages.Values;

    public bool TryTranslate(long vpn, out long guestPage, out bool writable)
    {
        if (_pageTable.TryGetValue(vpn, out var pte))
        {
            (guestPage, writable) = pte;
            return true;
        }

        guestPage = -1;
        writable = false;
        return false;
    }

    public void Map(long vpn, long guestPage, bool writable) => _pageTable[vpn] = new GuestPte(guestPage, writable);

    /// <summary>The guest-physical page of page-table page <paramref name="tablePage"/>, or -1.</summary>
    public long TablePage(long tablePage) => _tablePages.TryGetValue(tablePage, out long page) ? page : -1;

    public void SetTablePage(long tablePage, long guestPage) => _tablePages[tablePage] = guestPage;

    /// <summary>Private (writable) pages: freed when the process exits; file pages stay in the buffer cache.</summary>
    public IEnumerable<long> PrivatePages() => _pageTable.Values.Where(p => p.Writable).Select(p => p.GuestPage).Order();

    public IEnumerable<(long Vpn, long GuestPage, bool Writable)> Mappings() =>
        _pageTable.OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value.GuestPage, kv.Value.Writable));

    public void DeclareState(ref StateIo io)
    {
        io.Enum("process state", ref _state);
        io.Bool("process started", ref _started);
        io.Long("waiting for", ref _waitingFor, -1);
        io.Int("resume service", ref _resumeService, -1, KernelServices.Count - 1);
        io.Long("resume argument", ref _resumeArgument);
        io.Value("resume block", ref _resumeBlock);
        io.Int("resume count", ref _resumeCount, 0, 1 << 20);
        io.Map("page table", _pageTable, 1 << 26, static (ref StateIo io, ref long vpn) => io.Long("page table vpn", ref vpn, 0), static (ref StateIo io, ref GuestPte pte) => io.Value("page table entry", ref pte));
        io.LongMap("page-table pages", _tablePages, 1 << 26);
        io.Long("ready since", ref _readyPs, 0);
        io.Int("last part", ref _lastPart, 0, 63);
        io.Bool("moved", ref _moved);
        io.Part(Stream);
    }
}
