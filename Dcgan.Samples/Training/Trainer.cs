// The training loop of the dcgan command: epochs of shuffled batches (last partial batch dropped, as
// drop_last), one GAN step per batch, a sample grid per epoch from one fixed noise batch, losses.csv,
// progress.gif, losses.png, atomic checkpoints with everything needed to resume bit-exactly.
namespace Dcgan.Samples.Training;

using System.Diagnostics;
using System.Globalization;
using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Modules;
using Dcgan.Samples.Output;
using Dcgan.Samples.Terminal;
using Dcgan.Serialization;
using Dcgan.Tensors;
using Dcgan.Training;

/// <summary>What the trainer has at the end of an epoch, for the run's files.</summary>
/// <param name="Folder">The run's output folder.</param>
/// <param name="Epoch">The epoch just finished (1-based).</param>
/// <param name="EpochRows">This epoch's losses (from the resume point after a mid-epoch resume).</param>
/// <param name="AllRows">Every loss row of the run so far, earlier runs' included.</param>
/// <param name="Samples">G's output for the fixed noise: <see cref="SampleCount"/> × C × H × W floats in [−1, 1].</param>
/// <param name="SampleCount">Number of sample images.</param>
/// <param name="Geometry">The shape of one image.</param>
/// <param name="Columns">Tiles per grid row: the number of noise vectors of a conditional model's class-by-row grid; null for a near-square grid.</param>
/// <param name="Sample">Draws further images from the generator as it is now (for quality measurements); null when none can be drawn.</param>
public sealed record EpochOutput(string Folder, int Epoch, IReadOnlyList<LossRecord> EpochRows, IReadOnlyList<LossRecord> AllRows, float[] Samples, int SampleCount, ImageGeometry Geometry, int? Columns = null, SampleImages? Sample = null);

/// <summary>
/// Draws <paramref name="count"/> images from a run's generator with noise from <c>new RandomSource(seed)</c>, leaving the run's
/// random streams and BatchNorm running statistics as they were (see <see cref="Trainer.SampleMany"/>).
/// </summary>
/// <param name="count">Number of images, >= 1.</param>
/// <param name="seed">Seed of the noise: the same seed gives the same noise in every epoch.</param>
/// <param name="labels">The class of each image for a conditional generator (length <paramref name="count"/>); null otherwise.</param>
/// <returns>count × C × H × W floats in [−1, 1].</returns>
public delegate float[] SampleImages(int count, ulong seed, int[]? labels);

/// <summary>
/// Receives a run's results and writes its files (grids, GIF, plot, CSV): the trainer writes nothing itself but its
/// checkpoints, so what a run leaves behind is decided in one place.
/// </summary>
public interface IRunObserver
{
    /// <summary>An epoch ended (before its checkpoint is written).</summary>
    void EpochEnded(EpochOutput output);

    /// <summary>The run stops mid-epoch (Ctrl+C, SIGTERM) with these rows of the unfinished epoch not yet recorded.</summary>
    void Interrupted(string folder, IReadOnlyList<LossRecord> epochRows);
}

/// <summary>How a run ended.</summary>
public enum TrainOutcome
{
    Completed,
    Interrupted,
    Diverged,
}

/// <summary>Raised when a loss becomes NaN or infinite.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

public sealed class Trainer : IDisposable
{
    public const string CheckpointFile = "checkpoint.safetensors";

    /// <summary>The numbered snapshot of epoch <paramref name="epoch"/>: <c>checkpoint_epoch_0015.safetensors</c>.</summary>
    public static string SnapshotFile(int epoch) => $"checkpoint_epoch_{epoch:D4}.safetensors";
    /// <summary>Images in an epoch grid: 16 (4×4) for 28×28 MNIST as before, 64 (8×8, as pytorch/examples) otherwise.</summary>
    public static int GridSamplesFor(ImageGeometry geometry) => geometry == ImageGeometry.Mnist ? 16 : 64;

    /// <summary>Noise vectors per class in a conditional model's grid: one column each, the same noise down a column.</summary>
    public const int ConditionalColumns = 10;

    private readonly TrainOptions _o;
    private readonly TrainingImages _data;
    private readonly IBackend _backend;
    private readonly ITrainingReporter _reporter;
    private readonly IRunObserver? _observer;
    private readonly int _gridSamples;
    private readonly int[]? _gridLabels;
    private readonly int[] _batchLabels;
    private readonly GanModel _model;
    private readonly RandomSource _noiseRng;
    private readonly RandomSource _shuffleRng;
    private readonly float[] _fixedNoise;
    private readonly List<LossRecord> _rows = [];
    private readonly int _batch;
    private int _epochsDone;
    private int _stepInEpoch;
    private long _globalStep;
    private ulong[] _shuffleStateAtEpochStart;

    public Trainer(TrainOptions options, TrainingImages data, IBackend backend, ITrainingReporter reporter, IRunObserver? observer, string outDir)
    {
        _o = options;
        _data = data;
        _backend = backend;
        _reporter = reporter;
        _observer = observer;
        OutDir = outDir;
        _batch = options.ResolvedBatchSize;
        if (data.Height != options.ResolvedImageSize || data.Width != options.ResolvedImageSize || data.Channels != options.ResolvedChannels)
        {
            throw new ArgumentException($"The images are {data.Height}×{data.Width} with {data.Channels} channels; the networks are built for {options.ResolvedImageSize}×{options.ResolvedImageSize} with {options.ResolvedChannels} (--image-size, --channels).");
        }

        int usable = Math.Min(data.Count, options.Limit ?? int.MaxValue);
        if (usable < _batch)
        {
            throw new ArgumentException($"{usable} training images are fewer than one batch of {_batch}; lower --batch-size or raise --limit.");
        }

        ImageCount = usable;
        var root = new RandomSource(options.Seed);
        var geometry = new ImageGeometry(data.Channels, data.Height, data.Width);
        if (options.Conditional)
        {
            CheckLabels(options, data, usable);
        }

        _model = Presets.Build(options, geometry, backend, root.Fork("init"));
        _gridSamples = options.Conditional ? options.NumClasses * ConditionalColumns : GridSamplesFor(geometry);
        _batchLabels = options.Conditional ? new int[_batch] : [];
        _noiseRng = root.Fork("noise");
        _shuffleRng = root.Fork("shuffle");
        _fixedNoise = new float[_gridSamples * options.Nz];
        if (options.Conditional)
        {
            // One noise vector per column, the same down every class row: a column shows one "style" across the classes.
            float[] columns = new float[ConditionalColumns * options.Nz];
            root.Fork("fixed-noise").FillNormal(columns);
            _gridLabels = new int[_gridSamples];
            for (int i = 0; i < _gridSamples; i++)
            {
                _gridLabels[i] = i / ConditionalColumns;
                columns.AsSpan((i % ConditionalColumns) * options.Nz, options.Nz).CopyTo(_fixedNoise.AsSpan(i * options.Nz));
            }
        }
        else
        {
            root.Fork("fixed-noise").FillNormal(_fixedNoise);
        }
        _shuffleStateAtEpochStart = _shuffleRng.GetState();
    }

    public string OutDir { get; }

    public int ImageCount { get; }

    public GanModel Model => _model;

    public int EpochsDone => _epochsDone;

    public IReadOnlyList<LossRecord> Rows => _rows;

    public int StepsPerEpoch => ImageCount / _batch;

    /// <summary>Steps already done in the current (unfinished) epoch after a mid-epoch checkpoint.</summary>
    public int StepInEpoch => _stepInEpoch;

    /// <summary>Adds the rows of earlier runs (from losses.csv on resume) so the loss plot covers the whole run.</summary>
    public void SeedRows(IEnumerable<LossRecord> rows) => _rows.InsertRange(0, rows);

    /// <summary>Restores a checkpoint written by <see cref="SaveCheckpoint"/> (networks, optimizers, counters, RNG streams).</summary>
    /// <exception cref="CheckpointFormatException">The file is damaged or does not fit this run's networks; the message names the file.</exception>
    public void LoadCheckpoint(string path)
    {
        IReadOnlyDictionary<string, string> meta = Checkpoint.Load(path, Parts());
        _epochsDone = (int)CheckpointReader.Count(path, meta, "epoch", int.MaxValue);
        _stepInEpoch = (int)CheckpointReader.Count(path, meta, "step_in_epoch", int.MaxValue);
        _globalStep = CheckpointReader.Count(path, meta, "global_step");
        _noiseRng.SetState(CheckpointReader.RandomState(path, meta, "rng.noise"));
        _shuffleStateAtEpochStart = CheckpointReader.RandomState(path, meta, "rng.shuffle_epoch_start");
        _shuffleRng.SetState(_shuffleStateAtEpochStart);
    }

    /// <summary>Writes the training state atomically to <paramref name="path"/>.</summary>
    public void SaveCheckpoint(string path)
    {
        var meta = new Dictionary<string, string>
        {
            ["format"] = "dcgan-checkpoint/1",
            ["epoch"] = _epochsDone.ToString(CultureInfo.InvariantCulture),
            ["step_in_epoch"] = _stepInEpoch.ToString(CultureInfo.InvariantCulture),
            ["global_step"] = _globalStep.ToString(CultureInfo.InvariantCulture),
            ["rng.noise"] = FormatState(_noiseRng.GetState()),
            ["rng.shuffle_epoch_start"] = FormatState(_shuffleStateAtEpochStart),
            ["config"] = _o.Resolve().ToJson(),
        };
        Checkpoint.Save(path, Parts(), meta);
    }

    /// <summary>Runs epochs until <see cref="TrainOptions.Epochs"/> are done, a loss diverges, or <paramref name="stop"/> is set.</summary>
    public TrainOutcome Run(Func<bool> stop)
    {
        Directory.CreateDirectory(OutDir);
        string checkpoint = Path.Combine(OutDir, CheckpointFile);
        int[] order = new int[ImageCount];
        float[] hostBatch = new float[_batch * _data.ImageSize];
        TensorShape noiseShape = _model.NoiseShape(_batch);
        float[] hostNoise = new float[noiseShape.ElementCount];
        using Tensor real = _backend.Allocate(new TensorShape(_batch, _data.Channels, _data.Height, _data.Width));
        using Tensor noise = _backend.Allocate(noiseShape);
        int steps = _o.DryRun ? 1 : StepsPerEpoch;

        while (_epochsDone < _o.Epochs)
        {
            int epoch = _epochsDone + 1;
            _shuffleRng.SetState(_shuffleStateAtEpochStart);
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            _shuffleRng.Shuffle(order.AsSpan());
            var rows = new List<LossRecord>();
            _reporter.StartEpoch(epoch, steps);
            if (_stepInEpoch > 0)
            {
                _reporter.Message($"Continuing epoch {epoch} at step {_stepInEpoch + 1} of {steps}; this epoch's summary covers the steps run from here.");
            }

            var clock = Stopwatch.StartNew();
            int stepsThisRun = 0;
            for (int s = _stepInEpoch; s < steps; s++)
            {
                for (int b = 0; b < _batch; b++)
                {
                    _data.CopyImage(order[(s * _batch) + b], hostBatch.AsSpan(b * _data.ImageSize, _data.ImageSize));
                }

                real.CopyFrom(hostBatch);
                if (_model.Step is ConditionalGanStep conditional)
                {
                    for (int b = 0; b < _batch; b++)
                    {
                        _batchLabels[b] = _data.Labels![order[(s * _batch) + b]];
                    }

                    conditional.SetLabels(_batchLabels);
                }

                _noiseRng.FillNormal(hostNoise);
                noise.CopyFrom(hostNoise);
                GanStepResult r = _model.Step.Step(real, noise);
                if (!float.IsFinite(r.LossD) || !float.IsFinite(r.LossG))
                {
                    throw new TrainingDivergedException(
                        $"Training diverged at epoch {epoch}, step {s + 1}: Loss_D = {r.LossD}, Loss_G = {r.LossG}. The last good checkpoint ({checkpoint}) was kept; try a lower --lr.");
                }

                _globalStep++;
                _stepInEpoch = s + 1;
                stepsThisRun++;
                var row = new LossRecord(epoch, _globalStep, r.LossD, r.LossG, r.DX, r.DGZ1);
                rows.Add(row);
                _rows.Add(row);
                _reporter.Step(s, stepsThisRun * _batch / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), r.LossD, r.LossG, r.DX, r.DGZ1, r.DGZ2);
                if (stop() && s + 1 < steps)
                {
                    _observer?.Interrupted(OutDir, rows);
                    SaveCheckpoint(checkpoint);
                    _reporter.Message($"Interrupted at epoch {epoch}, step {s + 1}: saved {checkpoint}; continue with --resume {checkpoint}");
                    return TrainOutcome.Interrupted;
                }
            }

            double seconds = clock.Elapsed.TotalSeconds;
            _epochsDone = epoch;
            _stepInEpoch = 0;
            _shuffleStateAtEpochStart = _shuffleRng.GetState();
            // The summary first, so that what the observer reports (the sample quality) follows it.
            _reporter.EndEpoch(seconds);
            WriteEpochOutputs(epoch, rows);
            // The latest checkpoint after every epoch (atomic, so a crash or a kill loses at most the running epoch), and
            // a numbered snapshot every --checkpoint-every epochs that is never overwritten.
            SaveCheckpoint(checkpoint);
            if (epoch % _o.CheckpointEvery == 0)
            {
                string snapshot = Path.Combine(OutDir, SnapshotFile(epoch));
                if (!File.Exists(snapshot))
                {
                    SaveCheckpoint(snapshot);
                }
            }

            if (stop() && epoch < _o.Epochs)
            {
                _reporter.Message($"Interrupted after epoch {epoch}: saved {checkpoint}; continue with --resume {checkpoint}");
                return TrainOutcome.Interrupted;
            }
        }

        return TrainOutcome.Completed;
    }

    /// <summary>
    /// Generates <paramref name="count"/> images from <paramref name="noise"/> (count × nz floats). In eval mode
    /// BatchNorm uses its running statistics; in train mode it uses the batch's, and the running statistics
    /// are restored afterwards, so sampling never changes them.
    /// </summary>
    public static float[] Sample(Network generator, IBackend backend, float[] noise, TensorShape noiseShape, string sampleMode)
    {
        using Tensor z = backend.Allocate(noiseShape);
        z.CopyFrom(noise);
        bool wasTraining = generator.IsTraining;
        var saved = generator.NamedBuffers().Select(b => (b.Buffer, Values: b.Buffer.ToArray())).ToList();
        var tracked = generator.Modules().OfType<BatchNorm>().Select(bn => (bn, bn.NumBatchesTracked)).ToList();
        generator.Train(sampleMode == "train");
        try
        {
            return generator.Forward(z).ToArray();
        }
        finally
        {
            generator.Train(wasTraining);
            foreach ((Tensor buffer, float[] values) in saved)
            {
                buffer.CopyFrom(values);
            }

            foreach ((BatchNorm bn, long n) in tracked)
            {
                bn.NumBatchesTracked = n;
            }
        }
    }

    /// <summary>
    /// Generates <paramref name="count"/> images from <paramref name="model"/>'s generator in passes of at most 500, with noise
    /// drawn in order from <c>new RandomSource(seed)</c> (so a seed gives the same images whatever else the run's streams did),
    /// each pass through <see cref="Sample"/> (running statistics kept). A last pass of one image runs in eval mode, since a
    /// train-mode BatchNorm needs two.
    /// </summary>
    /// <param name="labels">A conditional generator's class per image (length <paramref name="count"/>); null otherwise.</param>
    /// <returns>count × C × H × W floats in [−1, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static float[] SampleMany(GanModel model, IBackend backend, int count, ulong seed, string sampleMode, int[]? labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        const int pass = 500;
        var random = new RandomSource(seed);
        int imageSize = model.Geometry.Channels * model.Geometry.Height * model.Geometry.Width;
        var images = new float[(long)count * imageSize];
        for (int start = 0; start < count; start += pass)
        {
            int n = Math.Min(pass, count - start);
            var noise = new float[model.NoiseShape(n).ElementCount];
            random.FillNormal(noise);
            (float[] input, TensorShape shape) = model.GeneratorInput(noise, n, labels?[start..(start + n)]);
            float[] batch = Sample(model.Generator, backend, input, shape, n < 2 ? "eval" : sampleMode);
            if (batch.Length != n * imageSize)
            {
                throw new InvalidDataException($"the generator makes {batch.Length / n} values per image; its geometry says {imageSize}.");
            }

            batch.CopyTo(images, (long)start * imageSize);
        }

        return images;
    }

    public void Dispose() => _model.Dispose();

    private void WriteEpochOutputs(int epoch, List<LossRecord> rows)
    {
        if (_observer is null)
        {
            return;
        }

        (float[] input, TensorShape shape) = _model.GeneratorInput(_fixedNoise, _gridSamples, _gridLabels);
        float[] images = Sample(_model.Generator, _backend, input, shape, _o.SampleMode);
        _observer.EpochEnded(new EpochOutput(OutDir, epoch, rows, _rows, images, _gridSamples, _model.Geometry, _gridLabels is null ? null : ConditionalColumns,
            (count, seed, labels) => SampleMany(_model, _backend, count, seed, _o.SampleMode, labels)));
    }

    private static void CheckLabels(TrainOptions o, TrainingImages data, int usable)
    {
        if (data.Labels is null)
        {
            throw new ArgumentException($"--conditional needs a class label for every image; {data.Source} has none.");
        }

        for (int i = 0; i < usable; i++)
        {
            if (data.Labels[i] >= o.NumClasses)
            {
                throw new ArgumentException($"--conditional: image {i} of {data.Source} has label {data.Labels[i]}; a {o.NumClasses}-class model takes labels 0 to {o.NumClasses - 1}.");
            }
        }
    }

    private CheckpointPart[] Parts() =>
    [
        new("G", _model.Generator, _model.OptimizerG),
        new("D", _model.Discriminator, _model.OptimizerD),
    ];

    private static string FormatState(ulong[] state) => string.Join(",", state.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
