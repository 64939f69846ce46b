namespace Disco.Actors.Monitor.Memory;

/// <summary>
/// A guest-physical page of one virtual machine: what a pmap entry translates and what a memmap back-pointer names.
/// Ordered by VM, then page (the order the pmaps are walked in).
/// </summary>
public readonly record struct GuestPage(int Vm, long Page) : IComparable<GuestPage>
{
    public int CompareTo(GuestPage other) => Vm != other.Vm ? Vm.CompareTo(other.Vm) : Page.CompareTo(other.Page);

    public static bool operator <(GuestPage left, GuestPage right) => left.CompareTo(right) < 0;

    public static bool operator >(GuestPage left, GuestPage right) => left.CompareTo(right) > 0;

    public static bool operator <=(GuestPage left, GuestPage right) => left.CompareTo(right) <= 0;

    public static bool operator >=(GuestPage left, GuestPage right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"VM {Vm} guest page {Page}";
}
