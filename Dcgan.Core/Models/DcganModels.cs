// The all-convolutional DCGAN of Radford et al. (2015) for small square images (28×28 MNIST by default),
// laid out as pytorch/examples' dcgan/main.py: strided ConvTranspose2d up, strided Conv2d down, no pooling,
// BatchNorm everywhere except G's output and D's input, ReLU in G with Tanh at its end, LeakyReLU(0.2) in D.
namespace Dcgan.Models;

using Dcgan.Modules;

/// <summary>Builders for the DCGAN generator and discriminator (Radford et al. 2015) for S×S images, S divisible by 4.</summary>
public static class DcganModels
{
    /// <summary>
    /// G: z <c>[N, nz, 1, 1]</c> → ConvT(nz→c1, k S/4, s1, p0) → BN → ReLU (S/4) → ConvT(c1→c2, k4, s2, p1) → BN → ReLU (S/2)
    /// → ConvT(c2→channels, k4, s2, p1) → Tanh, output <c>[N, channels, S, S]</c> in [−1, 1]. No biases.
    /// The <c>dcgan</c> preset uses c1 = 4·ngf, c2 = 2·ngf, S = 28 (a 7×7 first kernel).
    /// </summary>
    /// <param name="nz">Length of the noise vector.</param>
    /// <param name="c1">Channels after the first layer.</param>
    /// <param name="c2">Channels after the second layer.</param>
    /// <param name="imageSize">S, the image side; a positive multiple of 4.</param>
    /// <param name="channels">Image channels (1 for MNIST).</param>
    /// <param name="bnMomentum">BatchNorm momentum (PyTorch convention).</param>
    /// <param name="bnEps">BatchNorm eps.</param>
    /// <exception cref="ArgumentException">A size is out of range.</exception>
    public static Network Generator(int nz, int c1, int c2, int imageSize = 28, int channels = 1, float bnMomentum = 0.1f, float bnEps = 1e-5f)
    {
        CheckImageSize(imageSize);
        return new Network(
            "G",
            new ConvTranspose2d(nz, c1, imageSize / 4, 1, 0, bias: false),
            new BatchNorm2d(c1, bnEps, bnMomentum),
            new ReLU(),
            new ConvTranspose2d(c1, c2, 4, 2, 1, bias: false),
            new BatchNorm2d(c2, bnEps, bnMomentum),
            new ReLU(),
            new ConvTranspose2d(c2, channels, 4, 2, 1, bias: false),
            new Tanh());
    }

    /// <summary>
    /// D: image <c>[N, channels, S, S]</c> → Conv(channels→ndf, k4, s2, p1) → LeakyReLU (S/2) → Conv(ndf→2·ndf, k4, s2, p1)
    /// → BN → LeakyReLU (S/4) → Conv(2·ndf→1, k S/4, s1, p0), output logits <c>[N, 1, 1, 1]</c>. No biases; no
    /// final Sigmoid (the loss is BCE with logits, which is the stable form of pytorch/examples' Sigmoid + BCELoss).
    /// </summary>
    /// <param name="ndf">Channels of the first layer.</param>
    /// <param name="imageSize">S, the image side; a positive multiple of 4.</param>
    /// <param name="channels">Image channels.</param>
    /// <param name="negativeSlope">LeakyReLU slope (0.2 in the paper).</param>
    /// <param name="bnMomentum">BatchNorm momentum.</param>
    /// <param name="bnEps">BatchNorm eps.</param>
    /// <exception cref="ArgumentException">A size is out of range.</exception>
    public static Network Discriminator(int ndf, int imageSize = 28, int channels = 1, float negativeSlope = 0.2f, float bnMomentum = 0.1f, float bnEps = 1e-5f)
    {
        CheckImageSize(imageSize);
        return new Network(
            "D",
            new Conv2d(channels, ndf, 4, 2, 1, bias: false),
            new LeakyReLU(negativeSlope),
            new Conv2d(ndf, ndf * 2, 4, 2, 1, bias: false),
            new BatchNorm2d(ndf * 2, bnEps, bnMomentum),
            new LeakyReLU(negativeSlope),
            new Conv2d(ndf * 2, 1, imageSize / 4, 1, 0, bias: false));
    }

    private static void CheckImageSize(int imageSize)
    {
        if (imageSize < 4 || imageSize % 4 != 0)
        {
            throw new ArgumentException($"image size is {imageSize}; the DCGAN layout needs a positive multiple of 4 (28 for MNIST).", nameof(imageSize));
        }
    }
}
