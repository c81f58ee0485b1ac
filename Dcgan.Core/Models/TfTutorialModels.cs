// The generator and discriminator of TensorFlow's DCGAN tutorial (tensorflow.org/tutorials/generative/dcgan),
// with Keras defaults translated to PyTorch conventions: BatchNorm momentum 0.99 → 0.01, eps 1e-3,
// LeakyReLU slope 0.3, 5×5 kernels, "same" padding = 2 (+ output_padding 1 when upsampling by 2).
namespace Dcgan.Models;

using Dcgan.Init;
using Dcgan.Modules;

/// <summary>Builders for the TensorFlow DCGAN tutorial's networks on 28×28 images.</summary>
public static class TfTutorialModels
{
    /// <summary>
    /// G: z <c>[N, nz]</c> → Linear(nz→c1·7·7, no bias) → BN1d → LeakyReLU → Unflatten(c1, 7, 7) → ConvT(c1→c2, k5, s1, p2)
    /// → BN → LeakyReLU → ConvT(c2→c3, k5, s2, p2, op1) → BN → LeakyReLU → ConvT(c3→1, k5, s2, p2, op1) → Tanh,
    /// output <c>[N, 1, 28, 28]</c>. ConvTs have no bias. The tutorial uses c = (256, 128, 64), nz = 100.
    /// </summary>
    /// <exception cref="ArgumentException">A size is out of range.</exception>
    public static Network Generator(int nz = 100, int c1 = 256, int c2 = 128, int c3 = 64, float negativeSlope = 0.3f, float bnMomentum = 0.01f, float bnEps = 1e-3f)
    {
        return new Network(
            "G",
            new Linear(nz, c1 * 7 * 7, bias: false),
            new BatchNorm1d(c1 * 7 * 7, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new Unflatten(c1, 7, 7),
            new ConvTranspose2d(c1, c2, 5, 1, 2, 0, bias: false),
            new BatchNorm2d(c2, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new ConvTranspose2d(c2, c3, 5, 2, 2, 1, bias: false),
            new BatchNorm2d(c3, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new ConvTranspose2d(c3, 1, 5, 2, 2, 1, bias: false),
            new Tanh());
    }

    /// <summary>
    /// D: image <c>[N, 1, 28, 28]</c> → Conv(1→d1, k5, s2, p2) → LeakyReLU → Dropout → Conv(d1→d2, k5, s2, p2) → LeakyReLU
    /// → Dropout → Flatten → Linear(d2·7·7→1), output logits <c>[N, 1]</c>. With biases, no BatchNorm.
    /// The Dropout layers are omitted when <paramref name="dropout"/> is 0 (so layer indices shift, as in PyTorch).
    /// The tutorial uses d = (64, 128), dropout 0.3.
    /// </summary>
    /// <exception cref="ArgumentException">A size is out of range.</exception>
    public static Network Discriminator(int d1 = 64, int d2 = 128, float negativeSlope = 0.3f, float dropout = 0.3f, ulong dropoutSeed = 0)
    {
        var layers = new List<Module> { new Conv2d(1, d1, 5, 2, 2), new LeakyReLU(negativeSlope) };
        if (dropout > 0f)
        {
            layers.Add(new Dropout(dropout, dropoutSeed));
        }

        layers.Add(new Conv2d(d1, d2, 5, 2, 2));
        layers.Add(new LeakyReLU(negativeSlope));
        if (dropout > 0f)
        {
            layers.Add(new Dropout(dropout, dropoutSeed + 1));
        }

        layers.Add(new Flatten());
        layers.Add(new Linear(d2 * 7 * 7, 1));
        return new Network("D", [.. layers]);
    }

    /// <summary>
    /// Keras' default initialisation, which the tutorial relies on: Glorot-uniform kernels
    /// (limit √(6 / (fan_in + fan_out))), zero biases, BatchNorm gamma 1 and beta 0.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network is not bound to a backend.</exception>
    public static void InitKeras(Module network, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(random);
        foreach (Module m in network.Modules())
        {
            switch (m)
            {
                case Conv2d c:
                    Glorot(c.Weight, c.Bias, c.InChannels * c.KernelSize * c.KernelSize, c.OutChannels * c.KernelSize * c.KernelSize, random);
                    break;
                case ConvTranspose2d t:
                    Glorot(t.Weight, t.Bias, t.OutChannels * t.KernelSize * t.KernelSize, t.InChannels * t.KernelSize * t.KernelSize, random);
                    break;
                case Linear l:
                    Glorot(l.Weight, l.Bias, l.InFeatures, l.OutFeatures, random);
                    break;
                case BatchNorm bn:
                    Initializers.Constant(bn.Weight, 1f);
                    Initializers.Constant(bn.Bias, 0f);
                    break;
            }
        }
    }

    private static void Glorot(Parameter weight, Parameter? bias, int fanIn, int fanOut, RandomSource random)
    {
        Initializers.Uniform(weight, random, Math.Sqrt(6.0 / (fanIn + fanOut)));
        if (bias is not null)
        {
            Initializers.Constant(bias, 0f);
        }
    }
}
