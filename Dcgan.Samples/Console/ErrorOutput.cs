// One-line messages on stderr, "dcgan: error: ..." / "dcgan: warning: ...", plain text (no colour
// codes) so they read the same in a terminal, a log file or a CI page.
namespace Dcgan.Samples.Terminal;

/// <summary>Prints one-line errors and warnings to standard error.</summary>
public static class ErrorOutput
{
    /// <summary>Program name used as prefix.</summary>
    public const string Prefix = "dcgan";

    /// <summary>Writes "dcgan: error: message" as one line to <paramref name="error"/> (default stderr).</summary>
    public static void Error(string message, TextWriter? error = null)
    {
        Write("error", message, error);
    }

    /// <summary>
    /// Writes an exception as one line: its message, followed by its inner exceptions' messages after ": "
    /// (so "could not read file: access denied"). The stack trace is left out; pass <paramref name="verbose"/>
    /// to append the full exception on the following lines for debugging.
    /// </summary>
    public static void Error(Exception exception, TextWriter? error = null, bool verbose = false)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var parts = new List<string>();
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (parts.Count == 0 || !parts[^1].Contains(e.Message, StringComparison.Ordinal))
            {
                parts.Add(e.Message);
            }
        }
        TextWriter target = error ?? System.Console.Error;
        Write("error", string.Join(": ", parts), target);
        if (verbose)
        {
            target.WriteLine(exception.ToString());
            target.Flush();
        }
    }

    /// <summary>
    /// Writes an exception as one error line; a usage error (<see cref="ArgumentException"/>: a setting out of range,
    /// flags that do not fit together) is followed by the hint "See 'dcgan <paramref name="command"/> --help'.".
    /// </summary>
    public static void Failure(Exception exception, string command, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        TextWriter target = error ?? System.Console.Error;
        Error(MessageOf(exception), target);
        if (exception is ArgumentException)
        {
            target.WriteLine($"See '{Prefix} {command} --help'.");
            target.Flush();
        }
    }

    /// <summary>Writes "dcgan: warning: message" as one line to <paramref name="error"/> (default stderr).</summary>
    public static void Warning(string message, TextWriter? error = null)
    {
        Write("warning", message, error);
    }

    /// <summary>An exception's message for a user: without .NET's " (Parameter 'x')" suffix, on one line.</summary>
    public static string MessageOf(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } name })
        {
            message = message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
        }

        return OneLine(message);
    }

    /// <summary>Collapses line breaks, tabs and other control characters (ESC included) to single spaces.</summary>
    public static string OneLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new System.Text.StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text.Trim())
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                if (!space)
                {
                    builder.Append(' ');
                    space = true;
                }
                continue;
            }
            builder.Append(c);
            space = false;
        }
        return builder.ToString();
    }

    private static void Write(string level, string message, TextWriter? error)
    {
        TextWriter target = error ?? System.Console.Error;
        target.WriteLine($"{Prefix}: {level}: {OneLine(message)}");
        target.Flush();
    }
}
