using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Vcpus;

/// <summary>
/// The VCPU scheduler of one processor: the VCPUs with affinity to it, round robin by time slice. An idle VCPU (its
/// guest in the low-power wait) is descheduled at once; a VCPU that is not the one that last ran needs the hardware
/// TLB flushed (the TLB has no VM tag [D 4.2.2]). A pure model, driven by <see cref="MonitorSupervisor"/>.
/// </summary>
public sealed class VcpuScheduler : IStateful
{
    private readonly long _timeSlicePs;
    private readonly int _count;

    // State (checkpointed, in this order).
    private int _current = -1;
    private int _last = -1;
    private long _sliceEndPs;
    private long _switches;
    private long _idleDeschedules;

    public VcpuScheduler(int vcpus, long timeSlicePs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(vcpus);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSlicePs, 1);
        _count = vcpus;
        _timeSlicePs = timeSlicePs;
    }

    /// <summary>The running VCPU, -1 when none.</summary>
    public int Current => _current;

    /// <summary>The VCPU whose translations the hardware TLB holds (the last that ran), -1 before any.</summary>
    public int TlbOwner => _last;

    public long Switches => _switches;

    public long IdleDeschedules => _idleDeschedules;

    /// <summary>
    /// Decides what runs at <paramref name="nowPs"/>; <paramref name="runnable"/> says which VCPUs have work.
    /// <paramref name="timeSlice"/>: a slice that is over may pass the processor on.
    /// </summary>
    public VcpuDecision Schedule(long nowPs, Func<int, bool> runnable, bool timeSlice)
    {
        ArgumentNullException.ThrowIfNull(runnable);
        if (_current >= 0 && runnable(_current) && !(timeSlice && nowPs >= _sliceEndPs && Next(runnable) != _current))
        {
            return default;
        }

        if (_current >= 0 && !runnable(_current))
        {
            _idleDeschedules++;
            _current = -1;
        }

        int next = Next(runnable);
        if (next < 0)
        {
            return default;
        }

        _current = next;
        _sliceEndPs = nowPs + _timeSlicePs;
        if (next == _last)
        {
            return new VcpuDecision(Switched: true, FlushTlb: false);
        }

        _last = next;
        _switches++;
        return new VcpuDecision(Switched: true, FlushTlb: true);
    }

    /// <summary>The next runnable VCPU after the current (or last) one, round robin, that one last; -1 when none.</summary>
    private int Next(Func<int, bool> runnable)
    {
        int from = _current >= 0 ? _current : _last;
        for (int i = 1; i <= _count; i++)
        {
            int k = (from + i + _count) % _count;
            if (runnable(k))
            {
                return k;
            }
        }

        return -1;
    }

    public void DeclareState(ref StateIo io)
    {
        io.Int("current vcpu", ref _current, -1, _count - 1);
        io.Int("last vcpu", ref _last, -1, _count - 1);
        io.Long("vcpu slice end", ref _sliceEndPs, 0);
        io.Counter("monitor.vcpu_switches", ref _switches);
        io.Counter("monitor.idle_deschedules", ref _idleDeschedules);
    }
}
