using Disco.Actors.Engine.State;

namespace Disco.Actors.Hardware.Coherence;

/// <summary>
/// The one word of data the model carries: the lock word of a line that holds a spin lock (0 free, else its holder).
/// Every other line's data is not modelled, so only non-zero words are kept, by line address. A cache keeps the words
/// of the lines it holds, the home keeps memory's; the word travels with the line's data in the coherence messages
/// (<see cref="DataReply"/>, <see cref="ForwardReply"/>, <see cref="WritebackRequest"/>), so the value a processor
/// reads is the one the coherence order makes current.
/// </summary>
public sealed class LineWords : IStateful
{
    private const int MaxWords = 1 << 20;

    private readonly SortedDictionary<long, long> _words = [];

    public int Count => _words.Count;

    public long Of(long line) => _words.TryGetValue(line, out long w) ? w : 0;

    /// <summary>Sets a line's word (0 forgets it).</summary>
    public void Set(long line, long word)
    {
        if (word == 0)
        {
            _words.Remove(line);
        }
        else
        {
            _words[line] = word;
        }
    }

    public void DeclareState(ref StateIo io) => io.LongMap("lock words", _words, MaxWords, 0, long.MaxValue, long.MinValue, long.MaxValue);
}
