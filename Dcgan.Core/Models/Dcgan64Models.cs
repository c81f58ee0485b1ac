// pytorch/examples' dcgan/main.py Generator and Discriminator for 64×64 images with any number of channels: five
// layers each, 4×4 kernels, channel widths 8·ngf … ngf up and ndf … 8·ndf down, no biases, BatchNorm everywhere
// except G's output and D's input. Parameter names follow its state_dict (main.0.weight … main.12.weight).
namespace Dcgan.Models;

using Dcgan.Modules;

/// <summary>Builders for pytorch/examples' 64×64 DCGAN (Radford et al. 2015, the layout of dcgan/main.py).</summary>
public static class Dcgan64Models
{
    /// <summary>The image side these networks take and make.</summary>
    public const int ImageSize = 64;

    /// <summary>
    /// G: z <c>[N, nz, 1, 1]</c> → ConvT(nz→8·ngf, k4, s1, p0) → BN → ReLU (4×4) → ConvT(8·ngf→4·ngf, k4, s2, p1) → BN →
    /// ReLU (8×8) → ConvT(4·ngf→2·ngf) → BN → ReLU (16×16) → ConvT(2·ngf→ngf) → BN → ReLU (32×32) → ConvT(ngf→channels)
    /// → Tanh, output <c>[N, channels, 64, 64]</c> in [−1, 1]. No biases. pytorch/examples uses nz = 100, ngf = 64.
    /// </summary>
    /// <param name="nz">Length of the noise vector.</param>
    /// <param name="ngf">Generator width (channels of the last hidden layer).</param>
    /// <param name="channels">Image channels (3 for colour, 1 for grey).</param>
    /// <param name="bnMomentum">BatchNorm momentum (PyTorch convention).</param>
    /// <param name="bnEps">BatchNorm eps.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static Network Generator(int nz = 100, int ngf = 64, int channels = 3, float bnMomentum = 0.1f, float bnEps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nz, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ngf, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return new Network(
            "G",
            new ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias: false),
            new BatchNorm2d(ngf * 8, bnEps, bnMomentum),
            new ReLU(),
            new ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias: false),
            new BatchNorm2d(ngf * 4, bnEps, bnMomentum),
            new ReLU(),
            new ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias: false),
            new BatchNorm2d(ngf * 2, bnEps, bnMomentum),
            new ReLU(),
            new ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias: false),
            new BatchNorm2d(ngf, bnEps, bnMomentum),
            new ReLU(),
            new ConvTranspose2d(ngf, channels, 4, 2, 1, bias: false),
            new Tanh());
    }

    /// <summary>
    /// D: image <c>[N, channels, 64, 64]</c> → Conv(channels→ndf, k4, s2, p1) → LeakyReLU (32×32) → Conv(ndf→2·ndf) → BN →
    /// LeakyReLU (16×16) → Conv(2·ndf→4·ndf) → BN → LeakyReLU (8×8) → Conv(4·ndf→8·ndf) → BN → LeakyReLU (4×4) →
    /// Conv(8·ndf→1, k4, s1, p0), output logits <c>[N, 1, 1, 1]</c>. No biases; no final Sigmoid (the loss is BCE with
    /// logits, the stable form of pytorch/examples' Sigmoid + BCELoss).
    /// </summary>
    /// <param name="ndf">Discriminator width (channels of the first layer).</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="negativeSlope">LeakyReLU slope (0.2 in the paper).</param>
    /// <param name="bnMomentum">BatchNorm momentum.</param>
    /// <param name="bnEps">BatchNorm eps.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static Network Discriminator(int ndf = 64, int channels = 3, float negativeSlope = 0.2f, float bnMomentum = 0.1f, float bnEps = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ndf, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return new Network(
            "D",
            new Conv2d(channels, ndf, 4, 2, 1, bias: false),
            new LeakyReLU(negativeSlope),
            new Conv2d(ndf, ndf * 2, 4, 2, 1, bias: false),
            new BatchNorm2d(ndf * 2, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias: false),
            new BatchNorm2d(ndf * 4, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias: false),
            new BatchNorm2d(ndf * 8, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new Conv2d(ndf * 8, 1, 4, 1, 0, bias: false));
    }
}
