namespace Disco.Actors.Monitor.BareOs;

/// <summary>A virtual range every process of a workload maps to the same machine pages (code of one program, a shared scene).</summary>
public readonly record struct SharedRegion(long BaseAddress, long Bytes, int Segment)
{
    public bool Contains(long virtualAddress) => virtualAddress >= BaseAddress && virtualAddress < BaseAddress + Bytes;
}
