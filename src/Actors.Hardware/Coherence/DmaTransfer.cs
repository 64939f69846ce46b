namespace Disco.Actors.Hardware.Coherence;

/// <summary>A page of DMA at its home: done when every line of the page is (each may wait for its own transaction).</summary>
internal sealed class DmaTransfer(long page, DmaKey key, bool toMemory, int remainingLines)
{
    public long Page { get; } = page;

    public DmaKey Key { get; } = key;

    public bool ToMemory { get; } = toMemory;

    public int RemainingLines { get; set; } = remainingLines;
}
