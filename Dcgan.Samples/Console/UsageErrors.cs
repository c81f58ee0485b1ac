// Parse errors as a user should read them: .NET type names turned into words, "did you mean" for a flag or command
// close to a real one, the stray value after an unknown flag not reported twice, and the help hint for the command.
namespace Dcgan.Samples.Terminal;

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

/// <summary>Turns System.CommandLine's parse errors into the lines dcgan prints.</summary>
public static partial class UsageErrors
{
    /// <summary>The lines to print for <paramref name="parsed"/>'s errors, the help hint last.</summary>
    public static IReadOnlyList<string> Lines(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        Command command = parsed.CommandResult.Command;
        var lines = new List<string>();
        string? previousUnknownFlag = null;
        bool unknownCommand = command is RootCommand && parsed.Errors.Any(e => UnrecognizedPattern().IsMatch(e.Message));
        foreach (ParseError error in parsed.Errors)
        {
            if (unknownCommand && error.Message == "Required command was not provided.")
            {
                continue; // the unknown word is reported as the command it was meant to be
            }

            Match unknown = UnrecognizedPattern().Match(error.Message);
            if (unknown.Success)
            {
                string token = unknown.Groups[1].Value;
                if (token.StartsWith('-'))
                {
                    string? guess = Closest(token, command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)));
                    lines.Add(guess is null ? $"unknown option '{token}'." : $"unknown option '{token}'; did you mean '{guess}'?");
                    previousUnknownFlag = token;
                    continue;
                }

                if (previousUnknownFlag is not null)
                {
                    // The value that belonged to the unknown option: already reported with it.
                    previousUnknownFlag = null;
                    continue;
                }

                string? commandGuess = command.Subcommands.Count == 0 ? null : Closest(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
                if (command is RootCommand)
                {
                    lines.Add(commandGuess is not null
                        ? $"unknown command '{token}'; did you mean '{commandGuess}'?"
                        : $"unknown command '{token}'; the commands are {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.");
                }
                else
                {
                    lines.Add($"unexpected argument '{token}'.");
                }

                continue;
            }

            previousUnknownFlag = null;
            if (error.Message == "Required command was not provided." && command is not RootCommand)
            {
                lines.Add($"'{string.Join(' ', Ancestry(command).Reverse())}' needs one of its commands: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}.");
                continue;
            }

            if (NotAmongPattern().Match(error.Message) is { Success: true } choice && OptionOf(error.SymbolResult) is { } option)
            {
                // System.CommandLine's AcceptOnlyFromAmong message does not name the option.
                string[] allowed = choice.Groups[2].Value.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
                lines.Add($"{option.Name} is '{choice.Groups[1].Value}'; expected one of: {string.Join(", ", allowed)}.");
                continue;
            }

            lines.Add(Plain(error.Message));
        }

        string path = string.Join(' ', Ancestry(command).Reverse());
        lines.Add(command.Parents.Any() ? $"See '{path} --help'." : $"See '{path} --help' or '{path} <command> --help'.");
        return lines;
    }

    /// <summary>A System.CommandLine message with its .NET type names replaced by words ("an integer").</summary>
    public static string Plain(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (CannotParsePattern().Match(message) is { Success: true } m)
        {
            return $"{m.Groups[2].Value}: '{m.Groups[1].Value}' is not {TypeWords(m.Groups[3].Value)}.";
        }

        return ExpectedTypePattern().Replace(message, m => "as " + TypeWords(m.Groups[1].Value));
    }

    /// <summary>The nearest of <paramref name="candidates"/> to <paramref name="token"/>, or null when none is close.</summary>
    /// <remarks>Dashes and case are ignored first (--batchsize, --batchSize → --batch-size), then up to two edits count
    /// as close (one for names of five characters or fewer).</remarks>
    public static string? Closest(string token, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(candidates);
        string key = Normalise(token);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            string name = Normalise(candidate);
            int distance = name == key ? 0 : Distance(key, name);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        int allowed = key.Length <= 5 ? 1 : 2;
        return bestDistance <= allowed ? best : null;
    }

    private static Option? OptionOf(SymbolResult? result)
    {
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is OptionResult o)
            {
                return o.Option;
            }
        }

        return null;
    }

    private static IEnumerable<string> Ancestry(Command command)
    {
        for (Symbol? s = command; s is not null; s = s.Parents.FirstOrDefault())
        {
            if (s is Command c)
            {
                yield return c is RootCommand ? ErrorOutput.Prefix : c.Name;
            }
        }
    }

    private static string Normalise(string name) => name.TrimStart('-').Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();

    // Edit distance with adjacent transpositions counted as one edit (optimal string alignment): "trian" is one
    // edit from "train". Names are short, so the full table is fine.
    private static int Distance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j], d[i, j - 1]) + 1);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static string TypeWords(string type)
    {
        string inner = NullablePattern().Match(type) is { Success: true } n ? n.Groups[1].Value : type;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.UInt32" or "System.UInt64" => "a whole number >= 0",
            "System.Single" or "System.Double" => "a number",
            "System.Boolean" => "true or false",
            _ => "a value of the right kind",
        };
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'\.$")]
    private static partial Regex UnrecognizedPattern();

    [GeneratedRegex(@"^Cannot parse argument '(.*)' for option '(.*)' as expected type '([^']+)'\.$")]
    private static partial Regex CannotParsePattern();

    [GeneratedRegex(@"^Argument '(.*?)' not recognized\. Must be one of:(.*)$", RegexOptions.Singleline)]
    private static partial Regex NotAmongPattern();

    [GeneratedRegex(@"as expected type '([^']+)'")]
    private static partial Regex ExpectedTypePattern();

    [GeneratedRegex(@"^System\.Nullable`1\[(.+)\]$")]
    private static partial Regex NullablePattern();
}
