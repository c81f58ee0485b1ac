// Progress as plain text lines, for logs, pipes and CI: no ANSI escape codes, no carriage returns,
// one line at the first step, every PlainEvery steps and at the last step, in the spirit of
// pytorch/examples dcgan's "[epoch/epochs][i/steps] Loss_D: ... Loss_G: ... D(x): ... D(G(z)): ...".
using System.Globalization;

namespace Dcgan.Samples.Terminal;

/// <summary>Writes progress as plain lines to a <see cref="TextWriter"/>.</summary>
public sealed class PlainReporter : ITrainingReporter
{
    private readonly TextWriter _out;
    private readonly ReporterOptions _options;
    private readonly EpochStats _stats = new();
    private bool _inEpoch;

    /// <summary>Creates a reporter writing to <paramref name="output"/> (usually <see cref="System.Console.Out"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">options.PlainEvery is less than 1.</exception>
    public PlainReporter(TextWriter output, ReporterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _out = output;
        _options = options ?? new ReporterOptions();
        if (_options.PlainEvery < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.PlainEvery, "ReporterOptions.PlainEvery must be >= 1.");
        }
    }

    /// <inheritdoc/>
    public void StartEpoch(int epoch, int totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        _stats.Reset(epoch, totalSteps);
        _inEpoch = true;
    }

    /// <inheritdoc/>
    public void Step(int stepIndex, double imagesPerSecond, double lossD, double lossG, double dX, double dGz1, double dGz2)
    {
        if (!_inEpoch)
        {
            throw new InvalidOperationException($"Step({stepIndex}) was called outside an epoch; call StartEpoch first.");
        }
        _stats.Add(stepIndex, imagesPerSecond, lossD, lossG, dX, dGz1, dGz2);
        int done = stepIndex + 1;
        if (stepIndex == 0 || done % _options.PlainEvery == 0 || done == _stats.TotalSteps)
        {
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{Formats.EpochLabel(_stats.Epoch, _options.TotalEpochs)}][{done}/{_stats.TotalSteps}] {imagesPerSecond:F1} img/s  {Formats.Losses(lossD, lossG, dX, dGz1, dGz2)}"));
            _out.Flush();
        }
    }

    /// <inheritdoc/>
    public void EndEpoch(double seconds)
    {
        if (!_inEpoch)
        {
            throw new InvalidOperationException("EndEpoch was called outside an epoch; call StartEpoch first.");
        }
        _inEpoch = false;
        _out.WriteLine(Formats.EpochSummary(_stats, _options.TotalEpochs, seconds));
        _out.Flush();
    }

    /// <inheritdoc/>
    public void Message(string text)
    {
        _out.WriteLine(text);
        _out.Flush();
    }

    /// <summary>Flushes the writer; the writer itself belongs to the caller and stays open.</summary>
    public void Dispose()
    {
        _out.Flush();
    }
}

/// <summary>Number formats shared by both reporters (invariant culture, 4 decimals like PyTorch's example).</summary>
internal static class Formats
{
    public static string EpochLabel(int epoch, int? totalEpochs)
    {
        return totalEpochs is int total
            ? string.Create(CultureInfo.InvariantCulture, $"{epoch}/{total}")
            : epoch.ToString(CultureInfo.InvariantCulture);
    }

    // As pytorch/examples prints them: D(G(z)) before D's update / in G's update after it.
    public static string Losses(double lossD, double lossG, double dX, double dGz1, double dGz2)
    {
        return string.Create(CultureInfo.InvariantCulture,
            $"Loss_D: {lossD:F4}  Loss_G: {lossG:F4}  D(x): {dX:F4}  D(G(z)): {dGz1:F4} / {dGz2:F4}");
    }

    public static string EpochSummary(EpochStats stats, int? totalEpochs, double seconds)
    {
        return string.Create(CultureInfo.InvariantCulture,
            $"epoch {EpochLabel(stats.Epoch, totalEpochs)} done: {stats.StepsRun} step{(stats.StepsRun == 1 ? string.Empty : "s")} in {seconds:F1} s, means {Losses(stats.MeanLossD, stats.MeanLossG, stats.MeanDX, stats.MeanDGz1, stats.MeanDGz2)}");
    }
}
