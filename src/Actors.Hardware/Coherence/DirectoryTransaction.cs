namespace Disco.Actors.Hardware.Coherence;

/// <summary>The transaction a line is busy with at its home (or a waiting request's kind).</summary>
internal enum DirectoryTransaction : byte
{
    /// <summary>The line is idle.</summary>
    None = 0,
    Read = 1,
    ReadExclusive = 2,

    /// <summary>A disk writes the page into memory: every cached copy is invalidated.</summary>
    DmaToMemory = 3,

    /// <summary>A disk reads the page from memory: a modified copy is fetched from its owner first.</summary>
    DmaFromMemory = 4,
}
