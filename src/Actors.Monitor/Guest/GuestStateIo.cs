using Disco.Actors.Engine.State;
using Disco.Actors.Hardware.Processor;

namespace Disco.Actors.Monitor.Guest;

/// <summary>
/// <see cref="StateIo"/> for the guest's parts: the hardware's streams and operation sources (which still save
/// themselves), arrays of typed ids, and the bridge from a part's one declaration to the Save/Load pairs the
/// hardware's interfaces (<see cref="ISupervisor"/>, <see cref="IOperationSource"/>) ask for.
/// </summary>
public static class GuestStateIo
{
    /// <summary>An execution stream: its position, its pending operation, then its source.</summary>
    public static void Stream(this ref StateIo io, ExecutionStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (io.IsSaving)
        {
            stream.Save(ref io.Writer);
        }
        else if (io.IsLoading)
        {
            stream.Load(ref io.Reader);
        }
    }

    /// <summary>An operation source that saves itself (a synthetic user stream).</summary>
    public static void Source(this ref StateIo io, IOperationSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (io.IsSaving)
        {
            source.Save(ref io.Writer);
        }
        else if (io.IsLoading)
        {
            source.Load(ref io.Reader);
        }
    }

    /// <summary>One operation of a kernel path.</summary>
    public static void Operation(this ref StateIo io, ref Operation operation)
    {
        if (io.IsSaving)
        {
            operation.Write(ref io.Writer);
        }
        else if (io.IsLoading)
        {
            operation = Hardware.Processor.Operation.Read(ref io.Reader);
        }
    }

    /// <summary>An array of typed ids of at most <paramref name="maxLength"/> items.</summary>
    public static void Values<T>(this ref StateIo io, string name, ref T[] values, int maxLength)
        where T : IStateValue<T>
    {
        if (io.IsSaving)
        {
            io.Writer.WriteCount(values.Length);
            foreach (var v in values)
            {
                v.Write(ref io.Writer);
            }
        }
        else if (io.IsLoading)
        {
            values = new T[io.Reader.ReadCount(name, maxLength)];
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = T.Read(ref io.Reader, name);
            }
        }
    }

    public static void Save(IStateful part, ref StateWriter writer)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Saving(writer);
        part.DeclareState(ref io);
        writer = io.FinishSaving();
    }

    public static void Load(IStateful part, ref StateReader reader)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Loading(reader);
        part.DeclareState(ref io);
        reader = io.FinishLoading();
    }

    /// <summary>Reports the counters <paramref name="part"/> declares.</summary>
    public static void Report(IStateful part, Engine.Components.IStatsSink sink)
    {
        ArgumentNullException.ThrowIfNull(part);
        var io = StateIo.Reporting(sink);
        part.DeclareState(ref io);
    }
}
