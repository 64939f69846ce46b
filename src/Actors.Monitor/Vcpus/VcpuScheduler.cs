using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The VCPU scheduler of one processor, on VCPU numbers and on what it learnt by message: the VCPUs with affinity
/// to it that are parked (runnable or not), the one loaded here (at most one: its state is on this processor) and
/// the one whose state it asked for. Round robin by time slice among the runnable ones. Lazy handback: a loaded
/// VCPU that goes idle stays loaded while no other wants the processor, so a processor with one VCPU never hands
/// it back. A VCPU that is not the one that last ran needs the hardware TLB flushed (the TLB has no VM tag
/// [D 4.2.2]). A pure model, driven by <see cref="MonitorSupervisor"/>.
/// </summary>
public sealed class VcpuScheduler : IStateful
{
    private readonly long _timeSlicePs;

    // State (checkpointed, in this order).
    private readonly SortedDictionary<int, VcpuSlot> _parked = [];
    private int _loaded = -1;
    private bool _running;
    private int _last = -1;
    private int _fetching = -1;
    private long _sliceEndPs;
    private long _switches;
    private long _idleDeschedules;
    private long _handbacks;

    public VcpuScheduler(long timeSlicePs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSlicePs, 1);
        _timeSlicePs = timeSlicePs;
    }

    /// <summary>What the processor knows of a parked VCPU with affinity to it.</summary>
    public enum VcpuSlot : byte
    {
        /// <summary>Idle (its guest waits for an interrupt), not finished.</summary>
        Waiting = 0,

        /// <summary>Wants the processor.</summary>
        Ready = 1,

        /// <summary>Will never run again.</summary>
        Finished = 2,
    }

    /// <summary>The VCPU whose state is here, -1 when none.</summary>
    public int Loaded => _loaded;

    /// <summary>The loaded VCPU runs (false: it idles, kept loaded until another VCPU wants the processor).</summary>
    public bool Running => _running;

    /// <summary>The VCPU whose translations the hardware TLB holds (the last that ran), -1 before any.</summary>
    public int TlbOwner => _last;

    /// <summary>The VCPU whose state was asked for and has not arrived, -1 when none.</summary>
    public int Fetching => _fetching;

    public long Switches => _switches;

    public long IdleDeschedules => _idleDeschedules;

    /// <summary>VCPUs handed back to their components.</summary>
    public long Handbacks => _handbacks;

    /// <summary>Nothing here will ever run again: nothing loaded but finished, nothing parked but finished, nothing coming.</summary>
    public bool Done(bool loadedFinished) =>
        (_loaded < 0 || loadedFinished) && _fetching < 0 && _parked.Values.All(s => s == VcpuSlot.Finished);

    /// <summary>At build: VCPU <paramref name="vcpu"/> has affinity here, loaded here or parked (idle until it says otherwise).</summary>
    public void Place(int vcpu, bool loaded)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vcpu);
        if (loaded)
        {
            if (_loaded >= 0)
            {
                throw new InvalidOperationException($"VCPU scheduler: VCPU {_loaded} is loaded already");
            }

            _loaded = vcpu;
        }
        else
        {
            _parked[vcpu] = VcpuSlot.Waiting;
        }
    }

    /// <summary>A parked VCPU has work (<see cref="VcpuReady"/>): a VCPU that moves here is known from then on.</summary>
    public void Ready(int vcpu)
    {
        if (vcpu != _loaded && vcpu != _fetching)
        {
            _parked[vcpu] = VcpuSlot.Ready;
        }
    }

    /// <summary>A parked VCPU moved to another processor (<see cref="VcpuLeave"/>): forgotten, and the TLB is no longer its.</summary>
    public void Leave(int vcpu)
    {
        _parked.Remove(vcpu);
        if (_fetching == vcpu)
        {
            _fetching = -1;
        }

        if (_last == vcpu)
        {
            _last = -1;
        }
    }

    /// <summary>The state asked for arrived at <paramref name="nowPs"/>: it runs now; true when the TLB must be flushed.</summary>
    public bool Arrived(int vcpu, long nowPs)
    {
        if (vcpu != _fetching || _loaded >= 0)
        {
            throw new InvalidOperationException($"VCPU scheduler: VCPU {vcpu} arrived, expected {_fetching} (loaded: {_loaded})");
        }

        _fetching = -1;
        _loaded = vcpu;
        return Run(nowPs);
    }

    /// <summary>
    /// Decides at <paramref name="nowPs"/> what the processor does with the loaded VCPU (whether it can run,
    /// whether it is finished, whether it must leave) and whose state to ask for. <paramref name="timeSlice"/>: a
    /// slice that is over may pass the processor on.
    /// </summary>
    public VcpuDecision Schedule(long nowPs, bool loadedRunnable, bool loadedFinished, bool recall, bool timeSlice)
    {
        if (_fetching >= 0)
        {
            return VcpuDecision.Keep;
        }

        if (_loaded >= 0 && loadedRunnable && !recall && !(timeSlice && nowPs >= _sliceEndPs && AnyReady))
        {
            return _running ? VcpuDecision.Keep : new VcpuDecision(-1, -1, Run(nowPs));
        }

        if (_loaded >= 0 && !loadedRunnable && _running)
        {
            _idleDeschedules++;
            _running = false;
        }

        int next = Next();
        int park = -1;
        if (_loaded >= 0 && (next >= 0 || recall))
        {
            park = _loaded;
            if (recall)
            {
                _last = _last == park ? -1 : _last;
            }
            else
            {
                _parked[park] = loadedRunnable ? VcpuSlot.Ready : loadedFinished ? VcpuSlot.Finished : VcpuSlot.Waiting;
            }

            _loaded = -1;
            _running = false;
            _handbacks++;
            next = Next();
        }

        if (_loaded >= 0 || next < 0)
        {
            return new VcpuDecision(park, -1, false);
        }

        _parked.Remove(next);
        _fetching = next;
        return new VcpuDecision(park, next, false);
    }

    private bool AnyReady => _parked.Values.Any(s => s == VcpuSlot.Ready);

    /// <summary>The loaded VCPU runs from <paramref name="nowPs"/> for a slice; true when the TLB held another's translations.</summary>
    private bool Run(long nowPs)
    {
        _running = true;
        _sliceEndPs = nowPs + _timeSlicePs;
        if (_loaded == _last)
        {
            return false;
        }

        _last = _loaded;
        _switches++;
        return true;
    }

    /// <summary>The next ready parked VCPU after the loaded (or last) one, round robin by number; -1 when none is.</summary>
    private int Next()
    {
        int from = _loaded >= 0 ? _loaded : _last;
        int first = -1;
        foreach (var (vcpu, slot) in _parked)
        {
            if (slot != VcpuSlot.Ready)
            {
                continue;
            }

            if (vcpu > from)
            {
                return vcpu;
            }

            if (first < 0)
            {
                first = vcpu;
            }
        }

        return first;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Map("parked vcpus", _parked, 1 << 16, static (ref StateIo io, ref int v) => io.Int("vcpu", ref v, 0, int.MaxValue), static (ref StateIo io, ref VcpuSlot s) => io.Enum("vcpu slot", ref s));
        io.Int("loaded vcpu", ref _loaded, -1, int.MaxValue);
        io.Bool("loaded vcpu runs", ref _running);
        io.Int("last vcpu", ref _last, -1, int.MaxValue);
        io.Int("fetching vcpu", ref _fetching, -1, int.MaxValue);
        io.Long("vcpu slice end", ref _sliceEndPs, 0);
        io.Counter("monitor.vcpu_switches", ref _switches);
        io.Counter("monitor.idle_deschedules", ref _idleDeschedules);
        io.Counter("monitor.vcpu_handbacks", ref _handbacks);
    }
}
