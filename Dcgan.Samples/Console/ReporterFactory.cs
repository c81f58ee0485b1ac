// Chooses between the live progress bar and plain lines. Live only when all hold: stdout is not
// redirected, Spectre detects ANSI support and an interactive terminal, and the CI variable is unset
// (CI runners often fake a TTY; their logs are better as plain lines).
using Spectre.Console;

namespace Dcgan.Samples.Terminal;

/// <summary>Creates the reporter that suits the current console.</summary>
public static class ReporterFactory
{
    /// <summary>
    /// The decision rule, separated from the real console so tests can drive it: live iff output is not
    /// redirected, ANSI and interactivity are available, and <paramref name="ciVariable"/> is null or empty.
    /// </summary>
    public static bool ShouldUseLive(bool outputRedirected, bool ansi, bool interactive, string? ciVariable)
    {
        return !outputRedirected && ansi && interactive && string.IsNullOrEmpty(ciVariable);
    }

    /// <summary>True when the process's own console gets the live progress bar.</summary>
    public static bool ConsoleSupportsLive()
    {
        var capabilities = AnsiConsole.Profile.Capabilities;
        return ShouldUseLive(System.Console.IsOutputRedirected, capabilities.Ansi, capabilities.Interactive,
            Environment.GetEnvironmentVariable("CI"));
    }

    /// <summary>
    /// A reporter for the process's console: <see cref="LiveReporter"/> on an interactive ANSI terminal,
    /// otherwise <see cref="PlainReporter"/> on <see cref="System.Console.Out"/>. <paramref name="forcePlain"/>
    /// (e.g. a --no-progress flag) always gives plain lines.
    /// </summary>
    public static ITrainingReporter Create(ReporterOptions? options = null, bool forcePlain = false)
    {
        return !forcePlain && ConsoleSupportsLive()
            ? new LiveReporter(AnsiConsole.Console, options)
            : new PlainReporter(System.Console.Out, options);
    }
}
