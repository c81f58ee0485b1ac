// Sizes of a batch normalisation: statistics are taken per channel over batch and space.
namespace Dcgan.Backends;

using Dcgan.Tensors;

/// <summary>
/// The sizes of a BatchNorm over a tensor viewed as <c>[Batch, Channels, Spatial]</c>:
/// <c>[N, C, H, W]</c> for BatchNorm2d (Spatial = H·W), <c>[N, C]</c> or <c>[N, C, L]</c> for BatchNorm1d.
/// Each channel's statistics are taken over Batch·Spatial values.
/// </summary>
/// <param name="Batch">N.</param>
/// <param name="Channels">C, the number of features normalised separately.</param>
/// <param name="Spatial">Values per sample and channel (H·W, L or 1).</param>
public readonly record struct BatchNormGeometry(int Batch, int Channels, int Spatial)
{
    /// <summary>Values per channel: Batch·Spatial.</summary>
    public int ValuesPerChannel => Batch * Spatial;

    /// <summary>Reads the geometry off a tensor of rank 2, 3 or 4 whose axis 1 is the channel axis.</summary>
    /// <exception cref="ArgumentException">The rank is not 2, 3 or 4.</exception>
    public static BatchNormGeometry FromShape(TensorShape shape)
    {
        if (shape.Rank < 2 || shape.Rank > 4)
        {
            throw new ArgumentException($"Expected a tensor [N, C], [N, C, L] or [N, C, H, W]; got shape {shape}.", nameof(shape));
        }

        int spatial = 1;
        for (int i = 2; i < shape.Rank; i++)
        {
            spatial *= shape[i];
        }

        return new BatchNormGeometry(shape[0], shape[1], spatial);
    }
}
