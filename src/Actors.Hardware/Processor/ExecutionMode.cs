namespace Disco.Actors.Hardware.Processor;

/// <summary>The privilege level a processor's time is charged to (idle and memory stall are separate buckets).</summary>
public enum ExecutionMode : byte
{
    User = 0,

    /// <summary>An operating system kernel (bare IRIX, or a guest kernel in supervisor mode under a monitor).</summary>
    Kernel = 1,

    /// <summary>A virtual machine monitor.</summary>
    Monitor = 2,
}
