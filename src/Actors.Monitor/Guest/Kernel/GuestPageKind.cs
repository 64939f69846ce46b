namespace Disco.Actors.Monitor.Guest;

/// <summary>What a guest-physical page holds (the footprint split of the memory experiment).</summary>
public enum GuestPageKind
{
    KernelText = 0,
    KernelData = 1,
    BufferCache = 2,

    /// <summary>Process memory and page tables.</summary>
    Process = 3,
}
