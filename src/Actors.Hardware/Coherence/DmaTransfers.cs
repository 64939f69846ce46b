using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The pages of disk DMA in progress at a home: each is done when all its lines are (a line may first wait for its
/// own transaction, or for an owner's copy), and only then does the disk hear of it.
/// </summary>
public sealed class DmaTransfers : IStateful
{
    private readonly Dictionary<DmaKey, DmaTransfer> _inProgress = [];
    private readonly int _linesPerPage;
    private long _pages;

    public DmaTransfers(int linesPerPage) => _linesPerPage = linesPerPage;

    /// <summary>Pages moved by DMA so far (begun).</summary>
    public long Pages => _pages;

    public int InProgress => _inProgress.Count;

    /// <summary>A page's DMA begins: every one of its lines must finish.</summary>
    public void Begin(DmaRequest m, int home)
    {
        ArgumentNullException.ThrowIfNull(m);
        _pages++;
        var key = m.Dma;
        if (!_inProgress.TryAdd(key, new DmaTransfer(m.Page.Value, key, m.ToMemory, _linesPerPage)))
        {
            throw new InvalidOperationException($"directory {home}: DMA tag {key.Tag} of disk {key.Disk} is already in progress");
        }
    }

    /// <summary>One line of the page is done; returns the page's transfer when it was the last, else null.</summary>
    internal DmaTransfer? LineDone(DmaKey key)
    {
        var op = _inProgress[key];
        if (--op.RemainingLines > 0)
        {
            return null;
        }

        _inProgress.Remove(key);
        return op;
    }

    /// <summary>The counter, then the transfers in key order (a loaded map saves the same bytes).</summary>
    public void DeclareState(ref StateIo io)
    {
        io.Counter("hw.dir.dma_pages", ref _pages);
        if (io.IsReporting)
        {
            return;
        }

        var transfers = io.IsSaving ? [.. _inProgress.Values.OrderBy(d => d.Key)] : new List<DmaTransfer>();
        int linesPerPage = _linesPerPage;
        io.List("dma pages", transfers, 1 << 16, (ref StateIo inner, ref DmaTransfer d) =>
        {
            long page = d?.Page ?? 0;
            var key = d?.Key ?? default;
            bool toMemory = d?.ToMemory ?? false;
            int remaining = d?.RemainingLines ?? 0;
            inner.Long("dma page", ref page, 0);
            inner.Value("dma", ref key);
            inner.Bool("dma to memory", ref toMemory);
            inner.Int("dma remaining", ref remaining, 1, linesPerPage);
            d = new DmaTransfer(page, key, toMemory, remaining);
        });
        if (!io.IsLoading)
        {
            return;
        }

        _inProgress.Clear();
        foreach (var d in transfers)
        {
            if (!_inProgress.TryAdd(d.Key, d))
            {
                throw new CorruptStateException($"DMA tag {d.Key.Tag} of disk {d.Key.Disk} appears twice");
            }
        }
    }
}
