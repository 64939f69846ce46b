using Disco.Actors.Engine.Components;

namespace Disco.Actors.Engine.State;

/// <summary>
/// Helpers for state that is not a <see cref="Component"/>'s own (a supervisor, an operation stream): they run one
/// <see cref="IStateful.DeclareState"/> for an interface that still saves, loads and reports through its own methods,
/// and declare a generator's state.
/// </summary>
public static class StateIoWorkloadExtensions
{
    /// <summary>Saves what <paramref name="part"/> declares, leaving <paramref name="writer"/> after it.</summary>
    public static void SaveDeclared(this IStateful part, ref StateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Saving(writer);
        part.DeclareState(ref io);
        writer = io.FinishSaving();
    }

    /// <summary>Loads what <paramref name="part"/> declares (bounds checked), leaving <paramref name="reader"/> after it.</summary>
    public static void LoadDeclared(this IStateful part, ref StateReader reader)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Loading(reader);
        part.DeclareState(ref io);
        reader = io.FinishLoading();
    }

    /// <summary>Reports the counters <paramref name="part"/> declares.</summary>
    public static void ReportDeclared(this IStateful part, IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Reporting(sink);
        part.DeclareState(ref io);
    }

    /// <summary>A generator's four words of state; loading rejects the all-zero state, from which it never leaves.</summary>
    public static void Generator(this ref StateIo io, string name, ref SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var (s0, s1, s2, s3) = random.State;
        io.ULong(name, ref s0);
        io.ULong(name, ref s1);
        io.ULong(name, ref s2);
        io.ULong(name, ref s3);
        if (io.IsLoading)
        {
            random = (s0 | s1 | s2 | s3) != 0 ? new SimRandom(s0, s1, s2, s3) : throw new CorruptStateException($"{name}: generator state is all zero");
        }
    }
}
