namespace Disco.Actors.Engine.Actors;

/// <summary>A partition hosted in another process failed; the message is the remote error's.</summary>
public sealed class RemotePartitionException : Exception
{
    public RemotePartitionException(int partition, string error, bool badInput)
        : base($"partition {partition}: {error}")
    {
        Partition = partition;
        BadInput = badInput;
    }

    public RemotePartitionException()
    {
    }

    public RemotePartitionException(string message)
        : base(message)
    {
    }

    public RemotePartitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Partition { get; }

    /// <summary>True when the remote error was bad input (e.g. a trace file missing on that machine).</summary>
    public bool BadInput { get; }
}
