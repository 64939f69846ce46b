namespace Disco.Actors.Engine.Actors;

/// <summary>
/// Counts a partition's received batches by the window that sent them, so "every batch of the windows before k has
/// arrived" can be checked even when a batch of window k (from a partition in this process) overtakes one of
/// window k-1 (from another process). Windows only move forward, so counts below the current one fold into a total.
/// </summary>
internal sealed class BatchCounter
{
    private readonly SortedDictionary<long, long> _byWindow = [];
    private long _foldedBelow;
    private long _folded;

    public void Add(long window)
    {
        if (window < _foldedBelow)
        {
            _folded++;
            return;
        }

        _byWindow[window] = _byWindow.GetValueOrDefault(window) + 1;
    }

    /// <summary>Batches received from windows before <paramref name="window"/>.</summary>
    public long Before(long window)
    {
        while (_byWindow.Count > 0)
        {
            var first = _byWindow.First();
            if (first.Key >= window)
            {
                break;
            }

            _folded += first.Value;
            _byWindow.Remove(first.Key);
        }

        _foldedBelow = Math.Max(_foldedBelow, window);
        return _folded;
    }
}
