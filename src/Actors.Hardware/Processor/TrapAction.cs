namespace Disco.Actors.Hardware.Processor;

/// <summary>What the processor does after a trap.</summary>
public enum TrapAction : byte
{
    /// <summary>Charge the cost and go on (retry the operation that trapped, if one did).</summary>
    Continue = 0,

    /// <summary>Charge the cost, then wait (no events) until a message for the supervisor arrives; the wait is charged to the mode.</summary>
    Wait = 1,
}
