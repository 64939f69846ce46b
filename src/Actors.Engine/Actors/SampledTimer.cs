using System.Diagnostics;

namespace Disco.Actors.Engine.Actors;

/// <summary>
/// A coordinator's handler time, a statistic and never a decision. Coordinators take two messages per partition and
/// window, and two clock reads cost about as much as handling a report, so one message in <see cref="Sample"/> is
/// timed and the total is that sample scaled up.
/// </summary>
internal sealed class SampledTimer
{
    public const int Sample = 8;

    private long _count;

    /// <summary>The estimated handler time so far, in <see cref="Stopwatch"/> ticks.</summary>
    public long Ticks { get; set; }

    public void Run(object message, Action<object> handle)
    {
        if (++_count % Sample != 0)
        {
            handle(message);
            return;
        }

        long began = Stopwatch.GetTimestamp();
        handle(message);
        Ticks += (Stopwatch.GetTimestamp() - began) * Sample;
    }
}
