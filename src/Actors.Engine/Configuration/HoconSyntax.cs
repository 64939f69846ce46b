namespace Disco.Actors.Engine.Configuration;

/// <summary>
/// A structural check of HOCON text before Akka's parser sees it. Akka's parser is lenient (it accepts an unclosed
/// brace or an unterminated string) and can loop forever on an unclosed list, so brackets, braces and strings are
/// balanced here first, with the line of the first problem.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Throws <see cref="BadInputException"/> naming <c>name:line</c> at the first structural error.</summary>
    public static void Check(string text, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '"')
            {
                i = SkipString(text, i, ref line, name);
            }
            else if (c is '{' or '[')
            {
                open.Push((c, line));
                i++;
            }
            else if (c is '}' or ']')
            {
                char expected = c == '}' ? '{' : '[';
                if (open.Count == 0)
                {
                    throw new BadInputException($"{name}:{line}", $"malformed HOCON: '{c}' closes nothing");
                }

                var (bracket, openedAt) = open.Pop();
                if (bracket != expected)
                {
                    throw new BadInputException($"{name}:{line}", $"malformed HOCON: '{c}' closes the '{bracket}' opened at line {openedAt}");
                }

                i++;
            }
            else
            {
                i++;
            }
        }

        if (open.Count > 0)
        {
            var (bracket, openedAt) = open.Peek();
            throw new BadInputException($"{name}:{openedAt}", $"malformed HOCON: '{bracket}' is never closed");
        }
    }

    private static int SkipString(string text, int i, ref int line, string name)
    {
        int startLine = line;
        if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
        {
            int end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
            if (end < 0)
            {
                throw new BadInputException($"{name}:{startLine}", "malformed HOCON: unterminated \"\"\" string");
            }

            line += text.AsSpan(i, end - i).Count('\n');
            return end + 3;
        }

        for (int j = i + 1; j < text.Length; j++)
        {
            char c = text[j];
            if (c == '\\')
            {
                j++;
            }
            else if (c == '"')
            {
                return j + 1;
            }
            else if (c == '\n')
            {
                break;
            }
        }

        throw new BadInputException($"{name}:{startLine}", "malformed HOCON: unterminated string");
    }
}
