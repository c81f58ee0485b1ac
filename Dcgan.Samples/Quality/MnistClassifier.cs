// A small all-convolutional digit classifier built from Dcgan's own layers; its penultimate layer is the feature space of
// `dcgan eval`'s Fréchet distance (the role Inception-v3's pool layer plays in FID, on 28×28 grey images instead).
namespace Dcgan.Samples.Quality;

using System.Globalization;
using System.Reflection;
using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Losses;
using Dcgan.Models;
using Dcgan.Modules;
using Dcgan.Optimizers;
using Dcgan.Serialization;
using Dcgan.Tensors;

/// <summary>
/// Classifier of 28×28 single-channel images in [−1, 1] (the generators' tanh range) into 10 classes:
/// three strided 3×3/4×4 convolutions (1→16→32→64 channels, 28→14→7→4 pixels) with BatchNorm and ReLU, a Linear layer to
/// <see cref="FeatureCount"/> features with BatchNorm1d and ReLU (the features), and a Linear layer to 10 logits.
/// About 93,000 parameters (373 KB as float32 safetensors).
/// </summary>
public sealed class MnistClassifier : IDisposable
{
    /// <summary>Length of the penultimate feature vector.</summary>
    public const int FeatureCount = 64;

    /// <summary>Number of classes.</summary>
    public const int Classes = 10;

    /// <summary>Images are 28×28.</summary>
    public const int Side = 28;

    /// <summary>The checkpoint prefix of the network's tensors (<c>C.main.0.weight</c>, ...).</summary>
    public const string Prefix = "C";

    /// <summary>Every fifth block of ten consecutive images (index i with ⌊i / 10⌋ mod 5 = 4) is held out of training for the
    /// accuracy check: 2,000 of the embedded 10,000 digits, about 200 of each class, since those are interleaved by class and a
    /// block of ten holds one of each (a plain "every fifth image" would hold out only 4s and 9s).</summary>
    public const int HeldOutEvery = 5;

    // Index in Main of the ReLU whose output is the feature vector.
    private const int FeatureLayer = 12;

    // Images per forward pass in inference; bounds the activation memory.
    private const int InferenceBatch = 500;

    private readonly IBackend _backend;

    /// <summary>Creates the network on <paramref name="backend"/> with PyTorch's default initialisation from <paramref name="seed"/>.</summary>
    public MnistClassifier(IBackend backend, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        Network = new Network(
            "Classifier",
            new Conv2d(1, 16, 4, 2, 1),
            new BatchNorm2d(16),
            new ReLU(),
            new Conv2d(16, 32, 4, 2, 1),
            new BatchNorm2d(32),
            new ReLU(),
            new Conv2d(32, 64, 3, 2, 1),
            new BatchNorm2d(64),
            new ReLU(),
            new Flatten(),
            new Linear(64 * 4 * 4, FeatureCount),
            new BatchNorm1d(FeatureCount),
            new ReLU(),
            new Linear(FeatureCount, Classes));
        Network.To(backend, new RandomSource(seed));
    }

    /// <summary>The network (one Sequential named <c>main</c>).</summary>
    public Network Network { get; }

    /// <summary>The number of parameters.</summary>
    public int ParameterCount => Network.Parameters().Sum(p => p.Shape.ElementCount);

    /// <summary>The embedded resource name of the shipped weights for a dataset (<c>mnist</c>, <c>fashion-mnist</c>).</summary>
    public static string ResourceName(string dataset) => $"classifier/{dataset}.safetensors";

    /// <summary>Whether a classifier is shipped (embedded) for <paramref name="dataset"/>.</summary>
    public static bool HasEmbedded(string dataset) =>
        typeof(MnistClassifier).Assembly.GetManifestResourceInfo(ResourceName(dataset)) is not null;

    /// <summary>The shipped classifier of <paramref name="dataset"/>, or null when none is embedded.</summary>
    /// <exception cref="InvalidDataException">The embedded file does not fit this network (a build problem).</exception>
    public static MnistClassifier? LoadEmbedded(string dataset, IBackend backend)
    {
        using Stream? stream = typeof(MnistClassifier).Assembly.GetManifestResourceStream(ResourceName(dataset));
        if (stream is null)
        {
            return null;
        }

        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var classifier = new MnistClassifier(backend);
        classifier.Load(memory.ToArray(), $"embedded {ResourceName(dataset)}");
        return classifier;
    }

    /// <summary>Reads a classifier written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a classifier of this shape.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static MnistClassifier LoadFile(string path, IBackend backend)
    {
        var classifier = new MnistClassifier(backend);
        classifier.Load(File.ReadAllBytes(path), path);
        return classifier;
    }

    /// <summary>Writes the weights and BatchNorm statistics (safetensors, atomically) with <paramref name="metadata"/>.</summary>
    public void Save(string path, IReadOnlyDictionary<string, string> metadata) =>
        Checkpoint.Save(path, [new CheckpointPart(Prefix, Network)], metadata);

    /// <summary>
    /// Runs the network in eval mode over <paramref name="count"/> images (count × 784 floats in [−1, 1]) and returns the
    /// features <c>[count, 64]</c> and the class probabilities <c>[count, 10]</c> (softmax in float64), row-major.
    /// </summary>
    public (double[] Features, double[] Probabilities) Run(ReadOnlySpan<float> images, int count)
    {
        if (images.Length != count * Side * Side)
        {
            throw new ArgumentException($"images has {images.Length} values; expected {count} × {Side * Side}.", nameof(images));
        }

        var features = new double[count * FeatureCount];
        var probabilities = new double[count * Classes];
        bool wasTraining = Network.IsTraining;
        Network.Eval();
        try
        {
            for (int start = 0; start < count; start += InferenceBatch)
            {
                int n = Math.Min(InferenceBatch, count - start);
                using Tensor x = _backend.Allocate(new TensorShape(n, 1, Side, Side));
                x.CopyFrom(images.Slice(start * Side * Side, n * Side * Side));
                Tensor h = x;
                for (int i = 0; i < Network.Main.Count; i++)
                {
                    h = Network.Main[i].Forward(h);
                    if (i == FeatureLayer)
                    {
                        float[] f = h.ToArray();
                        for (int j = 0; j < f.Length; j++)
                        {
                            features[(start * FeatureCount) + j] = f[j];
                        }
                    }
                }

                float[] logits = h.ToArray();
                Softmax(logits, probabilities.AsSpan(start * Classes, n * Classes));
            }
        }
        finally
        {
            Network.Train(wasTraining);
        }

        return (features, probabilities);
    }

    /// <summary>The fraction of <paramref name="count"/> images whose most probable class is their label.</summary>
    public double Accuracy(ReadOnlySpan<float> images, ReadOnlySpan<byte> labels, int count)
    {
        (_, double[] p) = Run(images, count);
        int right = 0;
        for (int i = 0; i < count; i++)
        {
            right += ArgMax(p.AsSpan(i * Classes, Classes)) == labels[i] ? 1 : 0;
        }

        return (double)right / count;
    }

    /// <summary>The fixed split of <paramref name="count"/> training-file images: held out are i with ⌊i / 10⌋ mod 5 = 4, the rest train.</summary>
    public static (int[] Train, int[] HeldOut) Split(int count) =>
        (Enumerable.Range(0, count).Where(i => !IsHeldOut(i)).ToArray(), Enumerable.Range(0, count).Where(IsHeldOut).ToArray());

    private static bool IsHeldOut(int index) => (index / 10) % HeldOutEvery == HeldOutEvery - 1;

    /// <summary>The images at <paramref name="indices"/> (784 floats each), in that order.</summary>
    public static float[] Gather(ReadOnlySpan<float> images, IReadOnlyList<int> indices)
    {
        const int pixels = Side * Side;
        var result = new float[indices.Count * pixels];
        for (int i = 0; i < indices.Count; i++)
        {
            images.Slice(indices[i] * pixels, pixels).CopyTo(result.AsSpan(i * pixels, pixels));
        }

        return result;
    }

    /// <summary>The index of the largest value (the first of equal ones).</summary>
    public static int ArgMax(ReadOnlySpan<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    /// <summary>Frees the network.</summary>
    public void Dispose() => Network.Dispose();

    /// <summary>
    /// Trains with Adam (lr 1e-3, betas 0.9/0.999; lr ÷10 for the last quarter of the epochs) and CrossEntropyLoss on
    /// the images at <paramref name="trainIndices"/>, batches of <paramref name="batchSize"/> in a fresh shuffle each epoch, each image
    /// shifted by a random −2..2 pixels on each axis (background −1 fills the gap). Reports each epoch through <paramref name="epochDone"/>
    /// (epoch, mean loss).
    /// </summary>
    public void Train(float[] images, byte[] labels, int[] trainIndices, int epochs, int batchSize, ulong seed, Action<int, double> epochDone)
    {
        ArgumentNullException.ThrowIfNull(trainIndices);
        int count = trainIndices.Length;
        var random = new RandomSource(seed).Fork("classifier-data");
        using var adam = new Adam(Network.Parameters(), 1e-3);
        using var loss = new CrossEntropyLoss();
        int[] order = (int[])trainIndices.Clone();
        int pixels = Side * Side;
        var batch = new float[batchSize * pixels];
        var targets = new int[batchSize];
        using Tensor x = _backend.Allocate(new TensorShape(batchSize, 1, Side, Side));
        Network.Train();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            adam.LearningRate = epoch > epochs - Math.Max(1, epochs / 4) ? 1e-4 : 1e-3;
            random.Shuffle<int>(order);
            double sum = 0;
            int steps = count / batchSize;
            for (int s = 0; s < steps; s++)
            {
                for (int b = 0; b < batchSize; b++)
                {
                    int index = order[(s * batchSize) + b];
                    targets[b] = labels[index];
                    Shift(images.AsSpan(index * pixels, pixels), batch.AsSpan(b * pixels, pixels), random.NextInt(5) - 2, random.NextInt(5) - 2);
                }

                x.CopyFrom(batch);
                Network.ZeroGrad();
                Tensor logits = Network.Forward(x);
                sum += loss.Forward(logits, targets).Item();
                Network.Backward(loss.Backward());
                adam.Step();
            }

            epochDone(epoch, sum / steps);
        }

        Network.Eval();
    }

    /// <summary>Metadata that records how a classifier was made.</summary>
    public static Dictionary<string, string> Metadata(string dataset, string command, ulong seed, double heldOutAccuracy, int heldOut) => new(StringComparer.Ordinal)
    {
        ["kind"] = "dcgan-classifier",
        ["dataset"] = dataset,
        ["command"] = command,
        ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
        ["held_out_accuracy"] = heldOutAccuracy.ToString("R", CultureInfo.InvariantCulture),
        ["held_out_images"] = heldOut.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Copies a 28×28 image shifted by (dx, dy) pixels, filling uncovered pixels with −1 (black).</summary>
    private static void Shift(ReadOnlySpan<float> source, Span<float> destination, int dx, int dy)
    {
        for (int y = 0; y < Side; y++)
        {
            int sy = y - dy;
            for (int x = 0; x < Side; x++)
            {
                int sx = x - dx;
                destination[(y * Side) + x] = sy is >= 0 and < Side && sx is >= 0 and < Side ? source[(sy * Side) + sx] : -1f;
            }
        }
    }

    private static void Softmax(ReadOnlySpan<float> logits, Span<double> probabilities)
    {
        for (int r = 0; r < probabilities.Length / Classes; r++)
        {
            ReadOnlySpan<float> row = logits.Slice(r * Classes, Classes);
            double max = row[0];
            for (int c = 1; c < Classes; c++)
            {
                max = Math.Max(max, row[c]);
            }

            double total = 0;
            for (int c = 0; c < Classes; c++)
            {
                total += Math.Exp(row[c] - max);
            }

            for (int c = 0; c < Classes; c++)
            {
                probabilities[(r * Classes) + c] = Math.Exp(row[c] - max) / total;
            }
        }
    }

    /// <summary>Restores the parameters and BatchNorm statistics from safetensors bytes (every key, exact shapes).</summary>
    private void Load(byte[] bytes, string source)
    {
        (IReadOnlyDictionary<string, SafeTensorEntry> tensors, _) = SafeTensors.Read(bytes);
        var named = Network.NamedParameters().Select(p => (p.Name, p.Parameter.Data))
            .Concat(Network.NamedBuffers().Select(b => (b.Name, Data: b.Buffer)))
            .ToList();
        var values = new List<(Tensor Data, float[] Values)>();
        foreach ((string name, Tensor data) in named)
        {
            string key = $"{Prefix}.{name}";
            if (!tensors.TryGetValue(key, out SafeTensorEntry? e))
            {
                throw new InvalidDataException($"{source}: not a dcgan classifier (no tensor '{key}').");
            }

            if (e.DType != "F32" || !e.Shape.SequenceEqual(data.Shape.ToArray()))
            {
                throw new InvalidDataException($"{source}: tensor '{key}' is {e.DType} [{string.Join(", ", e.Shape)}]; the classifier expects F32 {data.Shape}.");
            }

            values.Add((data, e.ToFloat()));
        }

        foreach ((Tensor data, float[] v) in values)
        {
            data.CopyFrom(v);
        }

        Network.Eval();
    }
}
