// Progress as a Spectre.Console live progress bar, one per epoch: a bar line (epoch, bar, steps, img/s,
// elapsed, remaining; fits 80 columns) and below it the epoch's running means of Loss_D, Loss_G, D(x),
// D(G(z)) (a render hook, so a narrow terminal wraps that line instead of squashing the bar). Spectre's Progress is callback-shaped
// (Start blocks until the work is done), while the trainer calls StartEpoch/Step/EndEpoch, so each
// epoch's Progress runs on a helper thread that waits for EndEpoch; Spectre's own refresh thread redraws.
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Dcgan.Samples.Terminal;

/// <summary>Draws a live progress bar per epoch on an ANSI terminal.</summary>
public sealed class LiveReporter : ITrainingReporter
{
    private readonly IAnsiConsole _console;
    private readonly ReporterOptions _options;
    private Session? _session;

    /// <summary>Creates a reporter drawing on <paramref name="console"/> (usually <see cref="AnsiConsole.Console"/>).</summary>
    public LiveReporter(IAnsiConsole console, ReporterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        _console = console;
        _options = options ?? new ReporterOptions();
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Spectre.Console could not start the live display
    /// (for example another live display is running on the same console).</exception>
    public void StartEpoch(int epoch, int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        if (_session is not null)
        {
            Finish(_session, double.NaN);
        }
        var session = new Session(epoch, totalSteps, Formats.EpochLabel(epoch, _options.TotalEpochs));
        session.Stats.Reset(epoch, totalSteps);
        var thread = new Thread(() => Run(session)) { IsBackground = true, Name = "dcgan-progress" };
        thread.Start();
        session.Thread = thread;
        session.Ready.Wait();
        if (session.Failure is not null)
        {
            thread.Join();
            throw new InvalidOperationException($"Could not start the progress display for epoch {epoch}: {session.Failure.Message}", session.Failure);
        }
        _session = session;
    }

    /// <inheritdoc/>
    public void Step(int stepIndex, double imagesPerSecond, double lossD, double lossG, double dX, double dGz1, double dGz2)
    {
        Session session = _session ?? throw new InvalidOperationException($"Step({stepIndex}) was called outside an epoch; call StartEpoch first.");
        lock (session.Stats)
        {
            session.Stats.Add(stepIndex, imagesPerSecond, lossD, lossG, dX, dGz1, dGz2);
        }
        session.Task!.Value = Math.Min(stepIndex + 1, session.TotalSteps);
    }

    /// <inheritdoc/>
    public void EndEpoch(double seconds)
    {
        Session session = _session ?? throw new InvalidOperationException("EndEpoch was called outside an epoch; call StartEpoch first.");
        Finish(session, seconds);
    }

    /// <inheritdoc/>
    public void Message(string text)
    {
        // Written through the same console, Spectre prints the line above the live bar and redraws the bar.
        _console.WriteLine(text);
    }

    /// <summary>Ends a running epoch display, if any.</summary>
    public void Dispose()
    {
        if (_session is not null)
        {
            Finish(_session, double.NaN);
        }
    }

    private void Finish(Session session, double seconds)
    {
        lock (session.Stats)
        {
            // Under the lock the render thread reads it with, so the final redraw sees it.
            session.Seconds = seconds;
        }
        session.Done.Set();
        session.Thread?.Join();
        _session = null;
        session.Ready.Dispose();
        session.Done.Dispose();
    }

    private void Run(Session session)
    {
        try
        {
            _console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .ExcludeVerticalPadding()
                .Columns(
                    new TaskDescriptionColumn { Alignment = Justify.Left },
                    new ProgressBarColumn { Width = 24 },
                    new StepsColumn(),
                    new SpeedColumn(session.Stats),
                    new ElapsedTimeColumn(),
                    new RemainingTimeColumn())
                .UseRenderHook((bars, _) => new Rows(bars, new Text(StatsLine(session))))
                .Start(context =>
                {
                    ProgressTask task = context.AddTask(Markup.Escape($"epoch {session.Label}"), autoStart: true, maxValue: session.TotalSteps);
                    session.Task = task;
                    session.Ready.Set();
                    session.Done.Wait();
                    task.StopTask();
                    context.Refresh();
                });
        }
        catch (Exception ex)
        {
            session.Failure = ex;
        }
        finally
        {
            session.Ready.Set();
        }
    }

    /// <summary>The line under the bar: running means, then the epoch time once it has ended. Plain Text, so brackets are not markup.</summary>
    private static string StatsLine(Session session)
    {
        EpochStats stats = session.Stats;
        lock (stats)
        {
            string line = stats.StepsDone == 0
                ? "  waiting for the first step..."
                : "  mean " + Formats.Losses(stats.MeanLossD, stats.MeanLossG, stats.MeanDX, stats.MeanDGz1, stats.MeanDGz2);
            return double.IsNaN(session.Seconds)
                ? line
                : line + string.Create(CultureInfo.InvariantCulture, $"  in {session.Seconds:F1} s");
        }
    }

    private sealed class Session(int epoch, int totalSteps, string label)
    {
        public int Epoch { get; } = epoch;

        public int TotalSteps { get; } = totalSteps;

        public string Label { get; } = label;

        public EpochStats Stats { get; } = new();

        public ManualResetEventSlim Ready { get; } = new();

        public ManualResetEventSlim Done { get; } = new();

        public Thread? Thread { get; set; }

        public ProgressTask? Task { get; set; }

        public Exception? Failure { get; set; }

        public double Seconds { get; set; } = double.NaN;
    }

    /// <summary>"123/469": steps done of the epoch's steps.</summary>
    private sealed class StepsColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            return new Text(string.Create(CultureInfo.InvariantCulture, $"{task.Value:F0}/{task.MaxValue:F0}"));
        }
    }

    /// <summary>"1234 img/s": throughput reported with the last step.</summary>
    private sealed class SpeedColumn(EpochStats stats) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double speed;
            lock (stats)
            {
                speed = stats.ImagesPerSecond;
            }
            return new Text(string.Create(CultureInfo.InvariantCulture, $"{speed,6:F0} img/s"));
        }
    }
}
