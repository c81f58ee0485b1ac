// The conditional DCGAN step (Mirza & Osindero 2014 on the DCGAN layout): G sees cat(z, onehot(y)) on the channel
// axis, D sees cat(x, onehot(y) broadcast to H×W). The networks stay plain modules; the step builds their inputs
// with IBackend.CopyChannels and splits D's input gradient the same way, so the unconditional steps are untouched.
namespace Dcgan.Training;

using Dcgan.Backends;
using Dcgan.Modules;
using Dcgan.Optimizers;
using Dcgan.Tensors;

/// <summary>
/// pytorch/examples' alternating step (see <see cref="AlternatingGanStep"/>) for a class-conditional GAN: the real and
/// the fake batch carry the labels given to <see cref="SetLabels"/> (the same labels for both, as the golden case
/// <c>cdcgan_step_tiny</c> from PyTorch does). G maps <c>[N, nz + C, 1, 1]</c> to images <c>[N, channels, H, W]</c>;
/// D maps <c>[N, channels + C, H, W]</c> to logits. The step owns its input buffers and allocates nothing after the
/// first step of a given shape.
/// </summary>
public sealed class ConditionalGanStep : GanStep
{
    private readonly List<Tensor> _buffers = [];
    private int[] _labels = [];
    private float[] _oneHotHost = [];
    private float[] _mapsHost = [];
    private Tensor? _oneHot;
    private Tensor? _maps;
    private Tensor? _generatorInput;
    private Tensor? _discriminatorInput;
    private Tensor? _gradFake;
    private int _labelCount = -1;

    /// <summary>Creates the step.</summary>
    /// <param name="generator">G, mapping <c>[N, nz + C, 1, 1]</c> to images.</param>
    /// <param name="discriminator">D, mapping <c>[N, channels + C, H, W]</c> to one logit per sample.</param>
    /// <param name="optimizerG">Adam over G's parameters.</param>
    /// <param name="optimizerD">Adam over D's parameters.</param>
    /// <param name="numClasses">C, the number of classes (labels are in [0, C)).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is below 2.</exception>
    public ConditionalGanStep(Module generator, Module discriminator, Adam optimizerG, Adam optimizerD, int numClasses)
        : base(generator, discriminator, optimizerG, optimizerD)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numClasses, 2);
        NumClasses = numClasses;
    }

    /// <summary>C, the number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>Sets the class of every sample of the next <see cref="Step"/> (real and fake batch alike).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, <see cref="NumClasses"/>).</exception>
    public void SetLabels(ReadOnlySpan<int> labels)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)NumClasses)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is {labels[i]}; labels must be in [0, {NumClasses}).");
            }
        }

        if (_labels.Length != labels.Length)
        {
            _labels = new int[labels.Length];
        }

        labels.CopyTo(_labels);
        _labelCount = labels.Length;
    }

    /// <summary>
    /// Writes one-hot planes of <paramref name="labels"/>: <c>destination[n, c, p] = 1</c> where c = labels[n], else 0, for
    /// <c>[N, C, plane]</c> (plane = 1 for G's input, H·W for D's broadcast maps).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not N·C·plane long, or a label is out of range.</exception>
    public static void OneHot(ReadOnlySpan<int> labels, int numClasses, int plane, Span<float> destination)
    {
        if (destination.Length != labels.Length * numClasses * plane)
        {
            throw new ArgumentException($"One-hot planes of {labels.Length} labels × {numClasses} classes × {plane} need {labels.Length * numClasses * plane} floats; got {destination.Length}.", nameof(destination));
        }

        destination.Clear();
        for (int n = 0; n < labels.Length; n++)
        {
            if ((uint)labels[n] >= (uint)numClasses)
            {
                throw new ArgumentException($"Label {n} is {labels[n]}; labels must be in [0, {numClasses}).", nameof(labels));
            }

            destination.Slice(((n * numClasses) + labels[n]) * plane, plane).Fill(1f);
        }
    }

    /// <summary>
    /// G's input on the host for sampling: <c>[N, nz + C, 1, 1]</c> = cat(noise <c>[N, nz]</c>, onehot(labels)) per sample.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit, or a label is out of range.</exception>
    public static float[] GeneratorInput(ReadOnlySpan<float> noise, ReadOnlySpan<int> labels, int numClasses)
    {
        if (labels.Length == 0 || noise.Length % labels.Length != 0)
        {
            throw new ArgumentException($"{noise.Length} noise values do not split into {labels.Length} samples.", nameof(noise));
        }

        int nz = noise.Length / labels.Length, width = nz + numClasses;
        float[] input = new float[labels.Length * width];
        float[] oneHot = new float[labels.Length * numClasses];
        OneHot(labels, numClasses, 1, oneHot);
        for (int n = 0; n < labels.Length; n++)
        {
            noise.Slice(n * nz, nz).CopyTo(input.AsSpan(n * width));
            oneHot.AsSpan(n * numClasses, numClasses).CopyTo(input.AsSpan((n * width) + nz));
        }

        return input;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">No labels were set for this batch size.</exception>
    public override GanStepResult Step(Tensor real, Tensor noise)
    {
        CheckBatches(real, noise);
        int n = real.Shape[0];
        if (_labelCount != n)
        {
            throw new InvalidOperationException($"The conditional step needs {n} labels for a batch of {n}; SetLabels was given {Math.Max(_labelCount, 0)}.");
        }

        if (real.Shape.Rank != 4 || noise.Shape.Rank != 4 || noise.Shape[2] != 1 || noise.Shape[3] != 1)
        {
            throw new ArgumentException($"The conditional step needs images [N, C, H, W] and noise [N, nz, 1, 1]; got {real.Shape} and {noise.Shape}.", nameof(noise));
        }

        IBackend backend = real.Backend;
        int channels = real.Shape[1], nz = noise.Shape[1], c = NumClasses;
        Prepare(backend, real.Shape, nz);
        OneHot(_labels, c, 1, _oneHotHost);
        OneHot(_labels, c, real.Shape[2] * real.Shape[3], _mapsHost);
        _oneHot!.CopyFrom(_oneHotHost);
        _maps!.CopyFrom(_mapsHost);
        Tensor dIn = _discriminatorInput!, gIn = _generatorInput!;

        // (1) Update D on (real, y) and (G(z, y), y).
        OptimizerD.ZeroGrad();
        backend.CopyChannels(real, 0, dIn, 0, channels);
        backend.CopyChannels(_maps, 0, dIn, channels, c);
        (float lossReal, float dx) = RealLoss(Discriminator.Forward(dIn));
        Discriminator.Backward(RealGrad);
        backend.CopyChannels(noise, 0, gIn, 0, nz);
        backend.CopyChannels(_oneHot, 0, gIn, nz, c);
        Tensor fake = Generator.Forward(gIn);
        LastFake = fake;
        backend.CopyChannels(fake, 0, dIn, 0, channels);
        (float lossFake, float dgz1) = FakeLoss(Discriminator.Forward(dIn));
        Discriminator.Backward(FakeGrad);
        OptimizerD.Step();

        // (2) Update G through the updated D; D's input gradient splits: the image channels go back into G.
        OptimizerG.ZeroGrad();
        (float lossG, float dgz2) = GeneratorLoss(Discriminator.Forward(dIn));
        Tensor gradInput = BackwardThroughFrozenDiscriminator(GeneratorGrad);
        backend.CopyChannels(gradInput, 0, _gradFake!, 0, channels);
        Generator.Backward(_gradFake!);
        OptimizerG.Step();
        return new GanStepResult(lossReal + lossFake, lossG, dx, dgz1, dgz2);
    }

    /// <summary>Frees the step's input buffers, then the loss buffers.</summary>
    protected override void DisposeBuffers()
    {
        foreach (Tensor t in _buffers)
        {
            t.Dispose();
        }

        _buffers.Clear();
    }

    private void Prepare(IBackend backend, TensorShape image, int nz)
    {
        // Compared dimension by dimension: a TensorShape holds an array, and a warmed-up step allocates nothing.
        if (_discriminatorInput is { } d && ReferenceEquals(d.Backend, backend) && d.Shape[0] == image[0] && d.Shape[1] == image[1] + NumClasses
            && d.Shape[2] == image[2] && d.Shape[3] == image[3] && _generatorInput!.Shape[1] == nz + NumClasses)
        {
            return;
        }

        var discriminatorInput = new TensorShape(image[0], image[1] + NumClasses, image[2], image[3]);

        DisposeBuffers();
        int n = image[0], plane = image[2] * image[3];
        _oneHot = Keep(backend.Allocate(new TensorShape(n, NumClasses, 1, 1)));
        _maps = Keep(backend.Allocate(new TensorShape(n, NumClasses, image[2], image[3])));
        _generatorInput = Keep(backend.Allocate(new TensorShape(n, nz + NumClasses, 1, 1)));
        _discriminatorInput = Keep(backend.Allocate(discriminatorInput));
        _gradFake = Keep(backend.Allocate(image));
        _oneHotHost = new float[n * NumClasses];
        _mapsHost = new float[n * NumClasses * plane];
    }

    private Tensor Keep(Tensor t)
    {
        _buffers.Add(t);
        return t;
    }
}
