// Sample quality in every training run (train --eval-every N): after every N-th epoch, 2,000 images from the generator,
// always from the same noise, are measured as `dcgan eval` measures them, appended to quality.csv, drawn in quality.png and
// reported after the epoch's summary. It wraps the run's other observer, so the trainer still talks to one.
namespace Dcgan.Samples.Quality;

using System.Globalization;
using Dcgan.Backends;
using Dcgan.Samples.Output;
using Dcgan.Samples.Training;

/// <summary>
/// An <see cref="IRunObserver"/> that passes every call to an inner observer and then, every <c>--eval-every</c> epochs,
/// measures the generator's samples with the shipped classifier (<see cref="QualityReport"/>). The real images' features
/// are computed once, at the first measurement.
/// </summary>
public sealed class QualityTracker : IRunObserver, IDisposable
{
    /// <summary>Images generated per measurement: enough for a stable 64-dimensional covariance, a small part of an epoch's cost.</summary>
    public const int SampleCount = 2000;

    /// <summary>The seed of the measurement's noise, the same every epoch (and <c>dcgan eval</c>'s default, so
    /// <c>dcgan eval --count 2000</c> of an epoch's checkpoint repeats its row).</summary>
    public const ulong NoiseSeed = 0;

    /// <summary>At most this many of the run's training images (the first ones) are the real set.</summary>
    public const int MaxRealImages = 10_000;

    /// <summary>Fewer real images than this turn the measurement off (the real-vs-real halves need some of each class).</summary>
    public const int MinRealImages = 40;

    private readonly IRunObserver? _inner;
    private readonly MnistClassifier _classifier;
    private readonly TrainingImages _data;
    private readonly int _realCount;
    private readonly int _every;
    private readonly int[]? _labels;
    private readonly Action<string> _message;
    private double[]? _realFeatures;
    private bool _warnedFont;

    private QualityTracker(IRunObserver? inner, MnistClassifier classifier, TrainingImages data, int realCount, int every, int[]? labels, Action<string> message)
    {
        _inner = inner;
        _classifier = classifier;
        _data = data;
        _realCount = realCount;
        _every = every;
        _labels = labels;
        _message = message;
    }

    /// <summary>Epochs between measurements.</summary>
    public int Every => _every;

    /// <summary>
    /// The tracker for a run with settings <paramref name="o"/> on <paramref name="data"/> (every <see cref="TrainOptions.EvalEvery"/>
    /// epochs, default 1), or null when quality is not measured: --eval-every 0, no shipped classifier for the dataset, images
    /// that are not 28×28 grey, a conditional model of other than 10 classes, or fewer than <see cref="MinRealImages"/> images;
    /// each reason but the first is said once through <paramref name="message"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The shipped classifier does not load (a build problem).</exception>
    public static QualityTracker? Create(TrainOptions o, TrainingImages data, IBackend backend, IRunObserver? inner, Action<string> message)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(message);
        if (o.EvalEvery == 0)
        {
            return null;
        }

        int realCount = Math.Min(Math.Min(data.Count, o.Limit ?? int.MaxValue), MaxRealImages);
        string? reason =
            !MnistClassifier.HasEmbedded(o.Dataset) ? $"no classifier is shipped for {o.Dataset}"
            : data.Channels != 1 || data.Height != MnistClassifier.Side || data.Width != MnistClassifier.Side ? $"the classifier reads 28×28 grey images; these are {data.Height}×{data.Width} with {data.Channels} channels"
            : o.Conditional && o.NumClasses != MnistClassifier.Classes ? $"the model has {o.NumClasses} classes; the classifier knows {MnistClassifier.Classes}"
            : realCount < MinRealImages ? $"{realCount} training images are fewer than the {MinRealImages} the real-vs-real baseline needs"
            : null;
        if (reason is not null)
        {
            message($"Sample quality is not measured during training: {reason}.");
            return null;
        }

        MnistClassifier classifier = MnistClassifier.LoadEmbedded(o.Dataset, backend)!;
        int[]? labels = o.Conditional ? Enumerable.Range(0, SampleCount).Select(i => i % o.NumClasses).ToArray() : null;
        return new QualityTracker(inner, classifier, data, realCount, o.EvalEvery ?? 1, labels, message);
    }

    /// <inheritdoc/>
    public void EpochEnded(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _inner?.EpochEnded(output);
        if (output.Epoch % _every != 0 || output.Sample is null)
        {
            return;
        }

        _realFeatures ??= RealFeatures();
        float[] samples = output.Sample(SampleCount, NoiseSeed, _labels);
        QualityReport q = QualityReport.Measure(_classifier, samples, SampleCount, _realFeatures, _realCount, _labels);
        var record = new QualityRecord(output.Epoch, q.Samples, q.Distance, q.RealBaseline, q.Score, q.Lowest.Class, q.Lowest.Share, q.Highest.Class, q.Highest.Share, q.OverallAccuracy);
        string csv = Path.Combine(output.Folder, QualityCsv.FileName);
        QualityCsv.Append(csv, record);
        PlotFontChoice font = QualityPlot.Write(Path.Combine(output.Folder, QualityPlot.FileName), QualityCsv.Read(csv));
        if (!font.CanDrawText && !_warnedFont)
        {
            _warnedFont = true;
            _message($"quality.png has no text: {font.Description}");
        }

        _message(Describe(record));
    }

    /// <inheritdoc/>
    public void Interrupted(string folder, IReadOnlyList<LossRecord> epochRows) => _inner?.Interrupted(folder, epochRows);

    /// <summary>The line shown after an epoch's summary.</summary>
    public static string Describe(QualityRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string accuracy = r.ClassAccuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $", class accuracy {a:P1}") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"  quality after epoch {r.Epoch} ({r.Samples:N0} samples): Fréchet distance {r.Distance:F3} (real vs real {r.RealBaseline:F3}), classifier score {r.Score:F2}, class shares {r.LowestShare:P1} ({r.LowestClass}) to {r.HighestShare:P1} ({r.HighestClass}){accuracy}");
    }

    /// <inheritdoc/>
    public void Dispose() => _classifier.Dispose();

    private double[] RealFeatures()
    {
        int pixels = MnistClassifier.Side * MnistClassifier.Side;
        var real = new float[_realCount * pixels];
        for (int i = 0; i < _realCount; i++)
        {
            _data.CopyImage(i, real.AsSpan(i * pixels, pixels));
        }

        return _classifier.Run(real, _realCount).Features;
    }
}
