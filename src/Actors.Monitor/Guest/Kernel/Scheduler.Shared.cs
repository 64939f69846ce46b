using Disco.Actors.Engine.Components;
using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The part's side of the SMP guest's shared run queue (IRIX 5.3's, with cache affinity). A runnable process waits
/// in the local queue of the processor it last ran on (its cache is warm there). A processor with nothing to run
/// tells the run queue; while one idles, a part gives the queue its runnable process that has waited longest, once
/// that wait reaches the affinity time, and the queue hands it to the idle processor. A process moves with its whole
/// address space (its pages stay where they are) and allocates new pages from the slice of the part it runs on.
/// Only a process that is not in the middle of a system call moves: one asleep on a disk read, or woken with the
/// rest of the call to finish, waits on its part's buffer cache.
/// ASIDs are unique in the VM (part k starts its jobs in slots k+1, k+1+parts, ...), so a process keeps its ASID
/// and slot wherever it runs; the part it arrives on flushes its ASID from its TLB at its first switch in.
/// </summary>
internal sealed partial class Scheduler
{
    private readonly RunQueueLink? _shared;

    [Transient("sent by the supervisor at the end of the same event")]
    private readonly List<ISimMessage> _outbox = [];

    // Own processes now on other parts or on their way: their ASIDs stay taken.
    private readonly SortedSet<long> _away = [];
    private bool _asked;
    private bool _thieves;
    private long _moves;
    private long _affinityHits;
    private long _puts;
    private long _putWaitPs;
    private long _arrivals;
    private long _exitsAway;
    private long _jobsReturned;

    /// <summary>What this part sent and got through the run queue (for the invariant checks of tests).</summary>
    public RunQueueCounts Counts => new(_puts, _arrivals, _exitsAway, _jobsReturned, _jobsStarted, _jobsDone);

    /// <summary>Messages for the run queue that this event produced; the caller sends them.</summary>
    public IReadOnlyList<ISimMessage> TakeOutbox()
    {
        if (_outbox.Count == 0)
        {
            return [];
        }

        var sent = _outbox.ToArray();
        _outbox.Clear();
        return sent;
    }

    /// <summary>The run queue says whether some processor idles.</summary>
    public void OnThieves(bool any, long nowPs)
    {
        _thieves = any;
        Balance(nowPs);
    }

    /// <summary>
    /// While a processor idles: the runnable process that has waited longest here goes to the run queue, once its
    /// wait reaches the affinity time. Never while a kernel path runs (a context switch may be on its way to it).
    /// </summary>
    public void Balance(long nowPs)
    {
        if (_shared is null || !_thieves || _paths.Count > 0)
        {
            return;
        }

        GuestProcess? oldest = null;
        for (int slot = 1; slot <= GuestLayout.MaxProcesses; slot++)
        {
            if (slot != _current && _slots[slot] is { State: GuestProcessState.Runnable, ResumeService: < 0 } p
                && nowPs - p.ReadyPs >= _shared.AffinityStealPs && (oldest is null || p.ReadyPs < oldest.ReadyPs))
            {
                oldest = p;
            }
        }

        if (oldest is null)
        {
            return;
        }

        _slots[oldest.Asid] = null;
        if (oldest.Home == _shared.Part)
        {
            _away.Add(oldest.Asid);
        }

        _puts++;
        _putWaitPs += nowPs - oldest.ReadyPs;
        _outbox.Add(new ProcessPut(oldest, _shared.Part, _shared.Vcpu));
    }

    /// <summary>The run queue gave this part a process: it waits here to run.</summary>
    public void Arrive(GuestProcess p, long nowPs)
    {
        var link = _shared ?? throw new InvalidOperationException("guest: a process arrived at a pinned scheduler");
        if (_slots[p.Asid] is not null)
        {
            throw new InvalidOperationException($"guest part {link.Part}: process {p.Asid} arrived, but its slot is taken");
        }

        _slots[p.Asid] = p;
        _away.Remove(p.Asid);
        p.ReadyPs = nowPs;
        p.Moved |= p.LastPart != link.Part;
        _asked = false;
        _arrivals++;
    }

    /// <summary>
    /// Pages of this part's slice that a process freed on another part, and, when it was this part's process, its
    /// job's end: the next job starts here.
    /// </summary>
    public void OnReturn(ProcessReturn r, long nowPs)
    {
        foreach (long page in r.Pages)
        {
            _memory.Free(page);
        }

        if (r.JobDone)
        {
            _jobsReturned++;
            _away.Remove(r.Asid);
            OwnJobDone(nowPs);
        }
    }

    /// <summary>Reschedule found nothing to run (the processor idles) or something: the run queue hears of the change.</summary>
    private void Idle(bool idle)
    {
        if (idle != _asked)
        {
            // An idle part is not told of others' idling; the run queue tells it again when it has work.
            _thieves &= !idle;
            _asked = idle;
            _outbox.Add(new RunQueueAsk(_shared!.Part, idle));
        }
    }

    private void SwitchingTo(int slot, long nowPs)
    {
        if (_current > 0 && _current != slot && _slots[_current] is { State: GuestProcessState.Runnable } previous)
        {
            previous.ReadyPs = nowPs;
        }

        var next = _slots[slot]!;
        if (next.Started)
        {
            if (next.LastPart == _shared!.Part)
            {
                _affinityHits++;
            }
            else
            {
                _moves++;
            }
        }

        next.LastPart = _shared!.Part;
    }

    /// <summary>
    /// A process exited here: this part's pages go back to its free list; pages of other parts' slices go back to
    /// them, and the job's end to its home part, through the run queue.
    /// </summary>
    private void ReapShared(int slot, long nowPs)
    {
        var link = _shared!;
        var gone = _slots[slot]!;
        var elsewhere = new SortedDictionary<int, List<long>>();
        foreach (long page in gone.PrivatePages().Where(g => !_memory.InRegion(g)).Concat(gone.TablePages.Order()))
        {
            int owner = _memory.OwnerOf(page);
            if (owner < 0 || owner == link.Part)
            {
                _memory.Free(page);
            }
            else
            {
                (elsewhere.TryGetValue(owner, out var list) ? list : elsewhere[owner] = []).Add(page);
            }
        }

        _slots[slot] = null;
        if (_current == slot)
        {
            _current = 0;
        }

        if (gone.Home != link.Part)
        {
            _exitsAway++;
            elsewhere.TryAdd(gone.Home, []);
        }

        foreach (var (owner, pages) in elsewhere)
        {
            _outbox.Add(new ProcessReturn(owner, gone.Home, gone.Asid, owner == gone.Home, [.. pages]));
        }

        if (gone.Home == link.Part)
        {
            OwnJobDone(nowPs);
        }
    }

    private void OwnJobDone(long nowPs)
    {
        _jobsDone++;
        if (_jobsStarted < _w.Jobs)
        {
            StartJob(nowPs);
        }
    }

    /// <summary>This part's next free ASID: its own stripe, less those its processes hold elsewhere.</summary>
    private int FreeSharedSlot()
    {
        var link = _shared!;
        for (int slot = link.Part + 1; slot <= GuestLayout.MaxProcesses; slot += link.Parts)
        {
            if (_slots[slot] is null && !_away.Contains(slot))
            {
                return slot;
            }
        }

        return -1;
    }

    private void DeclareShared(ref StateIo io)
    {
        io.Set("processes away", _away, GuestLayout.MaxProcesses, 1, GuestLayout.MaxProcesses);
        io.Bool("asked the run queue", ref _asked);
        io.Bool("processors idle elsewhere", ref _thieves);
        io.Counter("guest.process_moves", ref _moves);
        io.Counter("guest.runqueue.affinity_hits", ref _affinityHits);
        io.Counter("guest.runqueue.waits", ref _puts);
        io.Counter("guest.runqueue.wait_ps", ref _putWaitPs);
        io.Counter("guest.runqueue.arrivals", ref _arrivals);
        io.Counter("guest.runqueue.exits_away", ref _exitsAway);
        io.Counter("guest.runqueue.jobs_returned", ref _jobsReturned);
    }
}
