// Training reporters: plain mode writes escape-free lines at the right steps; the live mode really
// draws (with ANSI codes) through Spectre.Console; the mode choice follows redirection, ANSI and CI.
namespace Dcgan.Tests.Samples;

using Dcgan.Samples.Terminal;
using Spectre.Console;

public class ReporterTests
{
    private static void RunEpoch(ITrainingReporter reporter, int epoch, int steps)
    {
        reporter.StartEpoch(epoch, steps);
        for (int i = 0; i < steps; i++)
        {
            reporter.Step(i, 1000 + i, 0.5 + (0.01 * i), 2.0, 0.75, 0.25, 0.125);
        }
        reporter.Message("saved epoch_001.png");
        reporter.EndEpoch(1.25);
    }

    [Fact]
    public void Epoch_summary_after_a_mid_epoch_resume_counts_the_steps_that_ran()
    {
        var writer = new StringWriter();
        using (var reporter = new PlainReporter(writer, new ReporterOptions { TotalEpochs = 3, PlainEvery = 50 }))
        {
            reporter.StartEpoch(2, 32);
            for (int i = 4; i < 32; i++)
            {
                reporter.Step(i, 1000, 0.5, 2.0, 0.75, 0.25, 0.125);
            }

            reporter.EndEpoch(1.25);
        }

        string summary = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith("epoch 2/3 done: 28 steps in 1.2 s", summary);
    }

    [Fact]
    public void PlainModeWritesLinesWithoutEscapeCodes()
    {
        var writer = new StringWriter();
        using (var reporter = new PlainReporter(writer, new ReporterOptions { TotalEpochs = 3, PlainEvery = 4 }))
        {
            RunEpoch(reporter, 1, 10);
        }
        string text = writer.ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\r', text.Replace(Environment.NewLine, "\n"));
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        // Steps 1, 4, 8 and 10 (first, every 4th, last), then the message, then the summary.
        Assert.Equal(6, lines.Length);
        Assert.StartsWith("[1/3][1/10] 1000.0 img/s  Loss_D: 0.5000  Loss_G: 2.0000  D(x): 0.7500  D(G(z)): 0.2500 / 0.1250", lines[0]);
        Assert.StartsWith("[1/3][4/10] ", lines[1]);
        Assert.StartsWith("[1/3][8/10] ", lines[2]);
        Assert.StartsWith("[1/3][10/10] 1009.0 img/s  Loss_D: 0.5900", lines[3]);
        Assert.Equal("saved epoch_001.png", lines[4]);
        // Mean Loss_D over 0.50 .. 0.59 is 0.545.
        Assert.Equal("epoch 1/3 done: 10 steps in 1.2 s, means Loss_D: 0.5450  Loss_G: 2.0000  D(x): 0.7500  D(G(z)): 0.2500 / 0.1250", lines[5]);
    }

    [Fact]
    public void RedirectedConsoleGetsPlainReporterWithoutEscapeCodes()
    {
        // The rule the factory applies to System.Console; redirected output never gets the live bar.
        Assert.False(ReporterFactory.ShouldUseLive(outputRedirected: true, ansi: true, interactive: true, ciVariable: null));
        var writer = new StringWriter();
        ITrainingReporter reporter = ReporterFactory.ShouldUseLive(true, true, true, null)
            ? throw new InvalidOperationException("unreachable")
            : new PlainReporter(writer);
        RunEpoch(reporter, 1, 120);
        Assert.DoesNotContain('\u001b', writer.ToString());
        Assert.Contains("[1][120/120]", writer.ToString());
    }

    [Theory]
    [InlineData(false, true, true, null, true)]
    [InlineData(false, true, true, "", true)]
    [InlineData(true, true, true, null, false)]
    [InlineData(false, false, true, null, false)]
    [InlineData(false, true, false, null, false)]
    [InlineData(false, true, true, "true", false)]
    public void LiveOnlyOnAnInteractiveAnsiTerminalOutsideCi(bool redirected, bool ansi, bool interactive, string? ci, bool live)
    {
        Assert.Equal(live, ReporterFactory.ShouldUseLive(redirected, ansi, interactive, ci));
    }

    [Fact]
    public void LiveModeDrawsABarWithStatsThroughSpectre()
    {
        var writer = new StringWriter();
        var synced = TextWriter.Synchronized(writer);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.TrueColor,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(synced),
        });
        console.Profile.Width = 200;
        using (var reporter = new LiveReporter(console, new ReporterOptions { TotalEpochs = 2 }))
        {
            RunEpoch(reporter, 1, 5);
            RunEpoch(reporter, 2, 5);
        }
        string text = writer.ToString();
        Assert.Contains('\u001b', text); // proves the escape check above can fail
        Assert.Contains("epoch 1/2", text);
        Assert.Contains("epoch 2/2", text);
        Assert.Contains("D(G(z)): 0.2500 / 0.1250  in 1.2 s", text);
        Assert.Contains("5/5", text);
        Assert.Contains("Loss_D: 0.5200", text); // running mean of 0.50 .. 0.54
        Assert.Contains("saved epoch_001.png", text);
    }

    [Fact]
    public void StepOutsideAnEpochIsAnError()
    {
        using var reporter = new PlainReporter(new StringWriter());
        var ex = Assert.Throws<InvalidOperationException>(() => reporter.Step(0, 1, 1, 1, 1, 1, 1));
        Assert.Contains("StartEpoch", ex.Message);
    }

    [Fact]
    public void ErrorsAreOneLineOnTheGivenWriter()
    {
        var error = new StringWriter();
        var ex = new InvalidOperationException("could not write 'out/losses.png'", new IOException("disk\nfull\u001b[31m"));
        ErrorOutput.Error(ex, error);
        ErrorOutput.Warning("no font\tfound", error);
        string[] lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["dcgan: error: could not write 'out/losses.png': disk full [31m", "dcgan: warning: no font found"],
            lines);
    }
}
