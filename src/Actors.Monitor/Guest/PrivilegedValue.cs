namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// The one number a privileged operation carries (<see cref="Hardware.Processor.Operation.Value"/>): a call code (a
/// <see cref="GuestPrivileged"/> instruction in a kernel path, a <see cref="Workloads.Syscall"/> in a user stream)
/// and its argument. The processor only passes it on; the kernel and the supervisors read it back.
/// </summary>
public readonly record struct PrivilegedValue(int Code, long Argument)
{
    private const int CodeBits = 8;
    private const long CodeMask = (1L << CodeBits) - 1;

    public long Encode() => (Argument << CodeBits) | (long)Code;

    public static PrivilegedValue Decode(long value) => new((int)(value & CodeMask), value >> CodeBits);
}
