namespace Disco.Actors.Hardware.Coherence;

/// <summary>A request that found its line busy: what it wants, from which node (-1 for DMA), and which DMA page.</summary>
internal readonly record struct WaitingRequest(DirectoryTransaction Kind, int Requester, DmaKey Dma = default);
