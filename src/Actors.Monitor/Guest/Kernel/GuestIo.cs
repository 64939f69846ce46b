namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// A disk transfer the guest started: the buffer-cache blocks it fills (a read) or writes out (<paramref name="Write"/>)
/// and the guest-physical pages they are in.
/// </summary>
public sealed record GuestIo(long Id, int Disk, long Sector, BlockKey[] Blocks, long[] GuestPages, bool Write = false);
