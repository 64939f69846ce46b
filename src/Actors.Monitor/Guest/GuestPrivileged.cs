using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The privileged instructions of the guest kernel's paths that have side effects (the side-effect-free register
/// reads and writes became loads and stores to a special page under Disco [D 4.3.3], so they are plain
/// instructions here). On bare hardware each executes natively; under the monitor each traps and is emulated.
/// </summary>
public enum GuestPrivileged
{
    /// <summary>One of the privileged instructions of exception entry (status register writes).</summary>
    Entry = 1,

    /// <summary>One of the privileged instructions of exception exit, the return from exception included.</summary>
    Exit = 2,

    /// <summary>tlbwr of the entry for (ASID, virtual page) from the guest's tables.</summary>
    TlbWrite = 3,

    /// <summary>Drop every TLB entry of an ASID (an address space is torn down or reused).</summary>
    TlbFlushAsid = 4,

    /// <summary>Program the disk controller for a request (a monitor call under Disco: one trap per request).</summary>
    StartIo = 5,

    /// <summary>Ask the monitor for a zeroed page (only a guest that runs under the monitor issues it).</summary>
    ZeroPage = 6,

    /// <summary>Set the current ASID (a context switch).</summary>
    SetAsid = 7,

    /// <summary>Send an NFS reply on the virtual network (a monitor call; its pages are remapped, not copied).</summary>
    NetSend = 8,

    /// <summary>
    /// Release the path's lock before the rest of the path (an SMP guest zeroes a page outside it). In a memlock path
    /// the kernel's path stack turns it into the hardware's release of the lock word (<c>OperationKind.Release</c>);
    /// for the semaphore it travels as a privileged operation, which never traps, so the supervisor sees it.
    /// </summary>
    Unlock = 9,

    /// <summary>
    /// Tell the monitor an exited process's pages (argument: its ASID) are free [D 4.3]: a monitor call, so the
    /// monitor can release their machine pages. Only a guest that runs under the monitor issues it.
    /// </summary>
    ReleasePages = 10,
}

public static class GuestPrivilegedOps
{
    public static Operation Op(GuestPrivileged code, long argument = 0) => Operation.Privileged(new PrivilegedValue((int)code, argument).Encode());

    public static (GuestPrivileged Code, long Argument) Decode(in Operation op)
    {
        var value = PrivilegedValue.Decode(op.Value);
        return ((GuestPrivileged)value.Code, value.Argument);
    }

    /// <summary>The argument of a TLB write: ASID and virtual page.</summary>
    public static long TlbArgument(int asid, long vpn) => new TlbWriteTarget(asid, vpn).Encode();

    public static (int Asid, long Vpn) TlbTarget(long argument)
    {
        var target = TlbWriteTarget.Decode(argument);
        return (target.Asid, target.Vpn);
    }
}
