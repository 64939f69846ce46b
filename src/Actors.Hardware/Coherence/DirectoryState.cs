namespace Disco.Actors.Hardware.Coherence;

/// <summary>What the directory records for a line (a line it does not record is uncached).</summary>
public enum DirectoryState : byte
{
    Uncached = 0,
    Shared = 1,

    /// <summary>One node may hold it exclusive or modified (MESI's E and M look the same from the home).</summary>
    Exclusive = 2,
}
