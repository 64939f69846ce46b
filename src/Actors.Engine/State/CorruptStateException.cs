namespace Disco.Actors.Engine.State;

/// <summary>Saved state that cannot be read back as written: truncated, out of range, or of an unknown kind.</summary>
public sealed class CorruptStateException : Exception
{
    public CorruptStateException()
    {
    }

    public CorruptStateException(string message)
        : base(message)
    {
    }

    public CorruptStateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
