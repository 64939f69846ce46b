namespace Disco.Actors.Engine.Actors;

/// <summary>
/// Counts a partition's received batches by the window that sent them, so "every batch of the windows before k has
/// arrived" can be checked even when a batch of window k (from a partition in this process) overtakes one of
/// window k-1 (from another process). Windows only move forward, so counts below the current one fold into a total;
/// the few windows still open are kept in a short list (a batch counter is on the hot path of every window).
/// </summary>
internal sealed class BatchCounter
{
    private readonly List<(long Window, long Count)> _open = new(4);
    private long _foldedBelow;
    private long _folded;

    public void Add(long window)
    {
        if (window < _foldedBelow)
        {
            _folded++;
            return;
        }

        for (int i = 0; i < _open.Count; i++)
        {
            if (_open[i].Window == window)
            {
                _open[i] = (window, _open[i].Count + 1);
                return;
            }
        }

        _open.Add((window, 1));
    }

    /// <summary>Batches received from windows before <paramref name="window"/>.</summary>
    public long Before(long window)
    {
        if (window > _foldedBelow)
        {
            _foldedBelow = window;
            for (int i = _open.Count - 1; i >= 0; i--)
            {
                if (_open[i].Window < window)
                {
                    _folded += _open[i].Count;
                    _open.RemoveAt(i);
                }
            }
        }

        return _folded;
    }
}
