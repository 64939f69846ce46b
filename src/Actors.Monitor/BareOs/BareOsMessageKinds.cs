namespace Disco.Actors.Monitor.BareOs;

/// <summary>
/// Stable message kinds of the bare OS stub. They keep the numbers they had while the stub lived in the hardware
/// project (140-141, inside the hardware's range): kinds enter digests, so moving the stub must not renumber them.
/// </summary>
public static class BareOsMessageKinds
{
    public const int PageFault = 140;
    public const int PageFaultReply = 141;
}
