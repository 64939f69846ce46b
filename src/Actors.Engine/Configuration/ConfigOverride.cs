namespace Disco.Actors.Engine.Configuration;

/// <summary>One value given on the command line, with the option that gave it (for error messages).</summary>
public readonly record struct ConfigOverride(string Key, string Value, string Source)
{
    /// <summary>Reads <c>--set key=value</c>.</summary>
    public static ConfigOverride FromSet(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new BadInputException($"--set {text}", "expected key=value, e.g. --set machine.nodes=16");
        }

        string key = text[..eq].Trim();
        return new ConfigOverride(key, text[(eq + 1)..].Trim(), $"--set {key}");
    }
}
