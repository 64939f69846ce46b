using Disco.Actors.Engine.State;

namespace Disco.Actors.Monitor.Guest;

/// <summary>A guest page-table entry as the model keeps it: the guest-physical page a virtual page maps, and whether it may be written.</summary>
public readonly record struct GuestPte(long GuestPage, bool Writable) : IStateValue<GuestPte>
{
    public void Write(ref StateWriter writer)
    {
        writer.Write(GuestPage);
        writer.Write(Writable);
    }

    public static GuestPte Read(ref StateReader reader, string what) => new(reader.ReadLong(what + " guest page", 0, long.MaxValue), reader.ReadBool(what + " writable"));
}
