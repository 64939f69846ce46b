using Disco.Actors.Hardware.Machine;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// Writes the operations of the guest kernel's code paths: the exception entry and exit with their privileged
/// instructions, a code path's instruction fetches and kernel-data lines (<see cref="GuestParams.Paths"/>), page
/// zeroing and copies. Stateless: what a service does is the kernel's decision; this is only what it costs, on the
/// platform's address of kernel memory (KSEG0 on bare hardware, the mapped segment under the monitor).
/// </summary>
public sealed class KernelCodeWriter
{
    private readonly GuestParams _p;
    private readonly bool _relocated;
    private readonly bool _monitorZeroes;
    private readonly int _lineBytes;
    private readonly int _linesPerPage;
    private readonly Action<long>? _touched;

    /// <param name="lineBytes">The L2 cache line: zeroing, copying and kernel data touch one word per line.</param>
    /// <param name="touched">Told each kernel text or data page a path reaches (the kernel's part of the footprint).</param>
    public KernelCodeWriter(GuestParams parameters, bool relocated, bool monitorZeroes, int lineBytes, Action<long>? touched = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (lineBytes < 8 || GuestLayout.PageBytes % lineBytes != 0)
        {
            throw new Engine.Configuration.BadInputException("disco.machine.l2.line-bytes", $"is {lineBytes}; the guest kernel needs a line of at least 8 bytes that divides its {GuestLayout.PageBytes}-byte page");
        }

        _p = parameters;
        _relocated = relocated;
        _monitorZeroes = monitorZeroes;
        _lineBytes = lineBytes;
        _linesPerPage = GuestLayout.PageBytes / lineBytes;
        _touched = touched;
    }

    // MIPS instructions are 4 bytes: a fetch of n runs over 4n bytes of text.
    private const int InstructionBytes = 4;

    // Most paths are a handful of operations (a TLB refill is four): start small, the list grows for the long ones.
    public static List<Operation> NewPath() => new(8);

    /// <summary>A new path that starts with the exception entry.</summary>
    public List<Operation> Entry()
    {
        var b = NewPath();
        for (int i = 0; i < _p.EntryPrivileged; i++)
        {
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Entry));
        }

        Code(b, KernelCode.ExceptionEntry);
        Data(b, KernelCode.ExceptionEntry, store: true);
        return b;
    }

    /// <summary>The exception exit, the return from exception included.</summary>
    public void Exit(List<Operation> b)
    {
        ArgumentNullException.ThrowIfNull(b);
        Code(b, KernelCode.ExceptionExit);
        Data(b, KernelCode.ExceptionExit, store: false);
        for (int i = 0; i < _p.ExitPrivileged; i++)
        {
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.Exit));
        }
    }

    public void Body(List<Operation> b, KernelCode code)
    {
        Code(b, code);
        Data(b, code, store: false);
    }

    /// <summary>The code's instructions, fetched sequentially from its place in the kernel text.</summary>
    public void Code(List<Operation> b, KernelCode code)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = _p.Path(code).Instructions;
        long textPage = ((int)Place(code) * 8) % (_p.KernelTextPages - 1);
        b.Add(Operation.Fetch(KernelAddress(textPage, 0), n));
        if (_touched is not null)
        {
            long last = textPage + (((n * InstructionBytes) - 1) >> GuestLayout.PageShift);
            for (long page = textPage; page <= last; page++)
            {
                _touched(page);
            }
        }
    }

    /// <summary>
    /// Where a code path's text and data are. A lookup alone (stat) runs the first part of open's code over the
    /// first part of open's data (namei and the name cache are one code and one cache whatever the call), so a stat
    /// and an open of the same names share their lines in the caches.
    /// </summary>
    private static KernelCode Place(KernelCode code) => code == KernelCode.Stat ? KernelCode.Open : code;

    /// <summary>The code's kernel data lines (its own structures: proc, vnode, pfdat...), every other one written.</summary>
    public void Data(List<Operation> b, KernelCode code, bool store)
    {
        ArgumentNullException.ThrowIfNull(b);
        int lines = _p.Path(code).DataLines;
        for (int i = 0; i < lines; i++)
        {
            long page = _p.KernelTextPages + ((((int)Place(code) * 4) + (i / _linesPerPage)) % _p.KernelDataPages);
            long address = KernelAddress(page, (i % _linesPerPage) * _lineBytes);
            _touched?.Invoke(page);
            b.Add(store || (i & 1) == 1 ? Operation.Store(address, 8) : Operation.Load(address, 8));
        }
    }

    /// <summary>
    /// An exited process's pages go back to the free list: under a monitor the kernel tells it first (a monitor call
    /// [D 4.3], so their machine pages can be released); on bare hardware nothing needs to know.
    /// </summary>
    public void Release(List<Operation> b, int asid)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (_monitorZeroes)
        {
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.ReleasePages, asid));
        }
    }

    /// <summary>Bytes one iteration of the kernel's bzero loop clears: eight doubleword stores (unrolled by 8).</summary>
    public const int BzeroChunkBytes = 64;

    private const int WordBytes = 8;

    /// <summary>
    /// Zeroes a guest page: a monitor call under Disco; on bare hardware the kernel's bzero, a loop whose every
    /// iteration (<see cref="KernelCode.Bzero"/>'s instructions) stores 8 doublewords, so each of the page's 512 words
    /// is written through the caches and every L1 and L2 line of the page is brought in.
    /// </summary>
    public void Zero(List<Operation> b, long page)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (_monitorZeroes)
        {
            b.Add(GuestPrivilegedOps.Op(GuestPrivileged.ZeroPage, page));
            return;
        }

        for (int chunk = 0; chunk < GuestLayout.PageBytes; chunk += BzeroChunkBytes)
        {
            Code(b, KernelCode.Bzero);
            for (int word = 0; word < BzeroChunkBytes; word += WordBytes)
            {
                b.Add(Operation.Store(KernelAddress(page, chunk + word), WordBytes));
            }
        }
    }

    /// <summary>Copies a guest page line by line (read and write copy through the buffer cache).</summary>
    public void Copy(List<Operation> b, long from, long to)
    {
        ArgumentNullException.ThrowIfNull(b);
        for (int i = 0; i < _linesPerPage; i++)
        {
            b.Add(Operation.Load(KernelAddress(from, i * _lineBytes), 8));
            b.Add(Operation.Store(KernelAddress(to, i * _lineBytes), 8));
        }
    }

    /// <summary>
    /// The word of the SMP kernel's memlock: alone on the last line of the kernel's data (a line no path's own data
    /// reaches), so the lock line's traffic is the lock's.
    /// </summary>
    public long MemlockWord => KernelAddress(_p.KernelTextPages + _p.KernelDataPages - 1, GuestLayout.PageBytes - _lineBytes);

    /// <summary>The kernel's address of a guest-physical page: KSEG0 on bare hardware, the mapped segment under Disco.</summary>
    public long KernelAddress(long guestPage, int offset) =>
        (_relocated ? GuestLayout.MappedKernelBase : MachineConstants.Kseg0Base) + (guestPage << GuestLayout.PageShift) + offset;
}
