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
    private VcpuId _current = VcpuId.None;
    private VcpuId _last = VcpuId.None;
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

    /// <summary>The running VCPU, <see cref="VcpuId.None"/> when none.</summary>
    public VcpuId Current => _current;

    /// <summary>The VCPU whose translations the hardware TLB holds (the last that ran), <see cref="VcpuId.None"/> before any.</summary>
    public VcpuId TlbOwner => _last;

    public long Switches => _switches;

    public long IdleDeschedules => _idleDeschedules;

    /// <summary>
    /// Decides what runs at <paramref name="nowPs"/>; <paramref name="runnable"/> says which VCPUs have work.
    /// <paramref name="timeSlice"/>: a slice that is over may pass the processor on.
    /// </summary>
    public VcpuDecision Schedule(long nowPs, Func<VcpuId, bool> runnable, bool timeSlice)
    {
        ArgumentNullException.ThrowIfNull(runnable);
        if (!_current.IsNone && runnable(_current) && !(timeSlice && nowPs >= _sliceEndPs && Next(runnable) != _current))
        {
            return default;
        }

        if (!_current.IsNone && !runnable(_current))
        {
            _idleDeschedules++;
            _current = VcpuId.None;
        }

        var next = Next(runnable);
        if (next.IsNone)
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

    /// <summary>The next runnable VCPU after the current (or last) one, round robin, that one last; none when none is.</summary>
    private VcpuId Next(Func<VcpuId, bool> runnable)
    {
        int from = _current.IsNone ? _last.Value : _current.Value;
        for (int i = 1; i <= _count; i++)
        {
            var k = new VcpuId((from + i + _count) % _count);
            if (runnable(k))
            {
                return k;
            }
        }

        return VcpuId.None;
    }

    public void DeclareState(ref StateIo io)
    {
        int current = _current.Value, last = _last.Value;
        io.Int("current vcpu", ref current, -1, _count - 1);
        io.Int("last vcpu", ref last, -1, _count - 1);
        (_current, _last) = (new VcpuId(current), new VcpuId(last));
        io.Long("vcpu slice end", ref _sliceEndPs, 0);
        io.Counter("monitor.vcpu_switches", ref _switches);
        io.Counter("monitor.idle_deschedules", ref _idleDeschedules);
    }
}
