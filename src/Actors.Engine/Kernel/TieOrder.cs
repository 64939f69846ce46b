using System.Globalization;
using System.Runtime.CompilerServices;

namespace Disco.Actors.Engine.Kernel;

/// <summary>Which rule orders the messages a component receives at the same simulated time.</summary>
public enum TieOrderKind
{
    /// <summary>Ascending sender id, then the sender's sequence number (the default; the recorded digests).</summary>
    Canonical,

    /// <summary>Descending sender id: same-time messages from different senders in the reverse of the canonical order.</summary>
    Reverse,

    /// <summary>A permutation of the senders drawn from a seed, anew for each (receiver, time).</summary>
    Seeded,

    /// <summary>The order the events reached the queue (Akka's delivery order in the actor engine): not reproducible.</summary>
    Arrival,
}

/// <summary>
/// The order in which a component handles messages that arrive at the same simulated time. Every order keeps the
/// messages of one sender to one receiver in the order they were sent (the models' protocols rely on it, as they do
/// on Akka's per-pair ordering): only senders are permuted, and a sender's messages keep its sequence order. Every
/// order but <see cref="TieOrderKind.Arrival"/> is a function of (receiver, time, sender) alone, so it gives the same
/// handling order, hence the same digest, on every engine, layout and thread count and after a resume.
/// </summary>
public readonly record struct TieOrder(TieOrderKind Kind, long Seed = 0)
{
    /// <summary>Sender ids are below 2^23 (the event queue's key range); a rank is a permutation of that range.</summary>
    public const int SenderBits = 23;

    private const int SenderMask = (1 << SenderBits) - 1;

    public static TieOrder Canonical => new(TieOrderKind.Canonical);

    /// <summary>True for every order a run can reproduce (and checkpoint).</summary>
    public bool Reproducible => Kind != TieOrderKind.Arrival;

    /// <summary>
    /// Parses <c>canonical</c>, <c>reverse</c>, <c>seeded:K</c> (K an integer) or <c>arrival</c>; null with the
    /// reason when the text is none of them.
    /// </summary>
    public static TieOrder? TryParse(string text, out string problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = "";
        switch (text)
        {
            case "canonical":
                return Canonical;
            case "reverse":
                return new TieOrder(TieOrderKind.Reverse);
            case "arrival":
                return new TieOrder(TieOrderKind.Arrival);
        }

        const string prefix = "seeded:";
        if (text.StartsWith(prefix, StringComparison.Ordinal))
        {
            if (long.TryParse(text.AsSpan(prefix.Length), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seed))
            {
                return new TieOrder(TieOrderKind.Seeded, seed);
            }

            problem = $"'{text}': the seed after 'seeded:' must be an integer";
            return null;
        }

        problem = $"'{text}' is not a tie order (canonical, reverse, seeded:K or arrival)";
        return null;
    }

    public override string ToString() => Kind switch
    {
        TieOrderKind.Reverse => "reverse",
        TieOrderKind.Seeded => "seeded:" + Seed.ToString(CultureInfo.InvariantCulture),
        TieOrderKind.Arrival => "arrival",
        _ => "canonical",
    };

    /// <summary>
    /// The sender's place among the senders of messages that reach <paramref name="target"/> at
    /// <paramref name="timePs"/>: a bijection of the sender ids for each (target, time), so two senders never share a
    /// rank and the order stays total. (Arrival order does not rank senders: the queue numbers arrivals instead.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Rank(int target, long timePs, int sender) => Kind switch
    {
        TieOrderKind.Canonical => sender,
        TieOrderKind.Reverse => SenderMask - sender,
        _ => Permute(sender, Mix(unchecked((ulong)Seed) ^ Mix(unchecked((ulong)target << 40) ^ Mix(timePs)))),
    };

    /// <summary>
    /// A keyed permutation of [0, 2^23): a 4-round balanced Feistel network on 24 bits (a permutation of [0, 2^24)
    /// for any round function), walked until it lands below 2^23 (cycle walking keeps it a permutation of the
    /// smaller range; fewer than two steps on average). Every output bit depends on every input bit, so even
    /// neighbouring sender ids come out in an unbiased order.
    /// </summary>
    private static int Permute(int sender, ulong key)
    {
        uint x = (uint)sender;
        do
        {
            uint left = x >> 12, right = x & 0xFFF;
            for (uint round = 0; round < 4; round++)
            {
                uint f = (uint)Mix(key + (round * 0x9E3779B97F4A7C15UL) + right) & 0xFFF;
                (left, right) = (right, left ^ f);
            }

            x = (left << 12) | right;
        }
        while (x > SenderMask);

        return (int)x;
    }

    /// <summary>SplitMix64's step: the golden-ratio increment, then the finalizer the digests use.</summary>
    private static ulong Mix(long value) => Mix(unchecked((ulong)value));

    private static ulong Mix(ulong value) => Determinism.Digest.Mix(unchecked(value + 0x9E3779B97F4A7C15UL));
}
