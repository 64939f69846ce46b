namespace Disco.Actors.Engine.Components;

/// <summary>A component sent a message faster than its link allows: the conservative lookahead would be wrong.</summary>
public sealed class LinkLatencyViolationException : InvalidOperationException
{
    public LinkLatencyViolationException(string message)
        : base(message)
    {
    }

    public LinkLatencyViolationException()
    {
    }

    public LinkLatencyViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
