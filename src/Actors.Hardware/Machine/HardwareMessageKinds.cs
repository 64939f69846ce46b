namespace Disco.Actors.Hardware.Machine;

/// <summary>
/// Stable message kinds of the hardware (range 100-199): they enter digests and name message types in checkpoints,
/// so a number is never reused for another message.
/// </summary>
public static class HardwareMessageKinds
{
    // Coherence (Coherence/CoherenceMessages.cs)
    public const int ReadRequest = 100;
    public const int ReadExclusiveRequest = 101;
    public const int WritebackRequest = 102;
    public const int DataReply = 103;
    public const int Invalidate = 104;
    public const int InvalidateAck = 105;
    public const int Forward = 106;
    public const int ForwardReply = 107;
    public const int HotPageInterrupt = 110;
    public const int DmaRequest = 111;
    public const int DmaDone = 112;

    // Memory controller (Memory/MemoryMessages.cs)
    public const int MemoryRead = 113;
    public const int MemoryData = 114;
    public const int MemoryWrite = 115;
    public const int MemoryFence = 116;
    public const int MemoryFenceDone = 117;

    // Disk (Disk/DiskMessages.cs)
    public const int DiskRequest = 120;
    public const int DiskComplete = 121;
    public const int DiskTransferDone = 122;

    // Processor (Processor/ProcessorMessages.cs)
    public const int BurstEnd = 130;
    public const int SpinCheck = 131;

    // 140-141 belong to the bare OS stub (Actors.Monitor/BareOs/BareOsMessageKinds.cs): never reuse them here.
}
