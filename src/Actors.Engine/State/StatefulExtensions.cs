using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.State;

/// <summary>
/// One <see cref="IStateful.DeclareState"/> run on its own, for a part saved, loaded or reported outside a component's
/// declaration (tests, tools, a part whose counters come with figures derived from it).
/// </summary>
public static class StatefulExtensions
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

    /// <summary>Reports the counters <paramref name="part"/> declares.</summary>
    public static void ReportTo(this IStateful part, IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Reporting(sink);
        part.DeclareState(ref io);
    }
}
