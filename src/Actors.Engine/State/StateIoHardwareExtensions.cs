namespace Disco.Actors.Engine.State;

/// <summary>
/// Declarations the hardware's parts need beyond <see cref="StateIo"/>'s own: a part saved through a plain writer (for
/// callers that still hand one over), and a hash map saved in key order so that a loaded map saves the same bytes.
/// </summary>
public static class StateIoHardwareExtensions
{
    /// <summary>Saves what <paramref name="part"/> declares into <paramref name="writer"/>.</summary>
    public static void SaveTo(this IStateful part, ref StateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Saving(writer);
        part.DeclareState(ref io);
        writer = io.FinishSaving();
    }

    /// <summary>Loads what <paramref name="part"/> declares from <paramref name="reader"/>, bounds checked.</summary>
    public static void LoadFrom(this IStateful part, ref StateReader reader)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Loading(reader);
        part.DeclareState(ref io);
        reader = io.FinishLoading();
    }

    /// <summary>
    /// A hash map keyed by whole numbers in [<paramref name="keyMin"/>, <paramref name="keyMax"/>], saved in key order
    /// (its own order depends on the history of insertions, which a loaded map does not share).
    /// </summary>
    public static void SortedMap<TValue>(this ref StateIo io, string name, Dictionary<long, TValue> map, int maxCount, long keyMin, long keyMax, ItemIo<TValue> value)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (io.IsReporting)
        {
            return;
        }

        var sorted = io.IsSaving ? new SortedDictionary<long, TValue>(map) : new SortedDictionary<long, TValue>();
        string keyName = name + " key";
        io.Map(name, sorted, maxCount, (ref StateIo inner, ref long k) => inner.Long(keyName, ref k, keyMin, keyMax), value);
        if (io.IsLoading)
        {
            map.Clear();
            foreach (var (k, v) in sorted)
            {
                map.Add(k, v);
            }
        }
    }
}
