namespace Disco.Actors.Engine.Configuration;

/// <summary>
/// Input the user can fix: a malformed or unknown configuration key, an impossible value, a missing file, a
/// checkpoint of another version. <see cref="Place"/> names the file, key, option or line; the CLI prints
/// <c>place: problem</c> on one line and exits with code 2.
/// </summary>
public sealed class BadInputException : Exception
{
    public BadInputException(string place, string problem)
        : base($"{place}: {problem}")
    {
        Place = place;
        Problem = problem;
    }

    public BadInputException()
        : this("input", "bad input")
    {
    }

    public BadInputException(string message)
        : this("input", message)
    {
    }

    public BadInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Place = "input";
        Problem = message;
    }

    public string Place { get; } = "input";

    public string Problem { get; } = "bad input";
}
