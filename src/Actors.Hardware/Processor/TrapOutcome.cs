namespace Disco.Actors.Hardware.Processor;

/// <summary>The result of a trap or interrupt: how long its handler ran, in which mode, and what comes next.</summary>
public readonly record struct TrapOutcome(long CostPs, ExecutionMode Mode, TrapAction Action = TrapAction.Continue)
{
    /// <summary>
    /// With <see cref="TrapAction.Wait"/>: the mode the waiting time is charged to, when it is not <see cref="Mode"/>
    /// (a monitor's handler costs monitor time, but a VCPU spinning for its guest's lock spins in the guest's kernel).
    /// </summary>
    public ExecutionMode? WaitMode { get; init; }

    /// <summary>
    /// With <see cref="TrapAction.Wait"/>: the processor has nothing to run meanwhile, so the wait is idle time (a
    /// guest thread asleep on a semaphore). Takes precedence over <see cref="WaitMode"/>.
    /// </summary>
    public bool WaitIdle { get; init; }

    public static TrapOutcome None => new(0, ExecutionMode.Kernel);
}
