// torchvision's Resize(S) + CenterCrop(S) on 8-bit channel planes: the shorter side is scaled to S and the longer to
// int(S · long / short), with PIL's antialiased bilinear filter (a triangle filter whose support widens by the scale
// factor when shrinking, as PIL.Image.resize(..., BILINEAR) computes it), then the centre S×S is kept, with the crop's
// top-left corner at round((H − S) / 2), round((W − S) / 2) using Python's round-half-to-even. Only the rows and
// columns the crop keeps are computed. PIL rounds to 8 bits between its horizontal and vertical passes and uses
// fixed-point weights; this keeps float between the passes, so a pixel can differ from PIL's by 1.
namespace Dcgan.Samples.Data;

/// <summary>Resizes the shorter side to S and centre-crops to S×S, as <c>transforms.Resize(S)</c> + <c>transforms.CenterCrop(S)</c> on a PIL image.</summary>
public static class ImageResize
{
    /// <summary>
    /// The size after <c>Resize(S)</c>: the shorter side becomes <paramref name="size"/> and the longer
    /// <c>int(size · long / short)</c> (truncated, as torchvision computes it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    public static (int Height, int Width) ResizedSize(int height, int width, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        return height <= width
            ? (size, Math.Max(size, (int)((long)size * width / height)))
            : (Math.Max(size, (int)((long)size * height / width)), size);
    }

    /// <summary>The crop's first row or column: Python's <c>int(round((length − size) / 2))</c>, halves to even.</summary>
    public static int CropStart(int length, int size) => (int)Math.Round((length - size) / 2.0, MidpointRounding.ToEven);

    /// <summary>
    /// Resizes <paramref name="channels"/> planes of <paramref name="height"/>×<paramref name="width"/> bytes so the shorter
    /// side is <paramref name="size"/> and writes the centre <paramref name="size"/>×<paramref name="size"/> of each plane to
    /// <paramref name="destination"/> (planar, C×S×S). An image already S×S is copied unchanged.
    /// </summary>
    /// <param name="source">C×H×W bytes, channel-planar.</param>
    /// <param name="channels">C.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="size">S.</param>
    /// <param name="destination">C×S×S bytes.</param>
    /// <exception cref="ArgumentException">A span's length does not match the sizes.</exception>
    public static void ResizeAndCenterCrop(ReadOnlySpan<byte> source, int channels, int height, int width, int size, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        (int rh, int rw) = ResizedSize(height, width, size);
        if (source.Length != channels * height * width)
        {
            throw new ArgumentException($"source has {source.Length} bytes; expected {channels}×{height}×{width} = {channels * height * width}.", nameof(source));
        }

        if (destination.Length != channels * size * size)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes; expected {channels}×{size}×{size} = {channels * size * size}.", nameof(destination));
        }

        if (height == size && width == size)
        {
            source.CopyTo(destination);
            return;
        }

        Filter rows = Filter.For(height, rh, CropStart(rh, size), size);
        Filter columns = Filter.For(width, rw, CropStart(rw, size), size);
        int firstRow = rows.First[0];
        int lastRow = rows.First[size - 1] + rows.Taps[size - 1];
        float[] across = new float[(lastRow - firstRow) * size];
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<byte> plane = source.Slice(c * height * width, height * width);
            Span<byte> target = destination.Slice(c * size * size, size * size);

            // Horizontal pass over the source rows the vertical pass reads, producing only the kept columns.
            for (int y = firstRow; y < lastRow; y++)
            {
                ReadOnlySpan<byte> line = plane.Slice(y * width, width);
                Span<float> row = across.AsSpan((y - firstRow) * size, size);
                for (int x = 0; x < size; x++)
                {
                    ReadOnlySpan<float> w = columns.WeightsOf(x);
                    int start = columns.First[x];
                    float sum = 0f;
                    for (int k = 0; k < w.Length; k++)
                    {
                        sum += w[k] * line[start + k];
                    }

                    row[x] = sum;
                }
            }

            for (int y = 0; y < size; y++)
            {
                ReadOnlySpan<float> w = rows.WeightsOf(y);
                int start = rows.First[y] - firstRow;
                for (int x = 0; x < size; x++)
                {
                    float sum = 0f;
                    for (int k = 0; k < w.Length; k++)
                    {
                        sum += w[k] * across[((start + k) * size) + x];
                    }

                    target[(y * size) + x] = (byte)Math.Clamp(MathF.Round(sum, MidpointRounding.AwayFromZero), 0f, 255f);
                }
            }
        }
    }

    /// <summary>
    /// The weight of a source pixel at distance <paramref name="x"/> (in output pixels) from an output pixel's centre:
    /// PIL's bilinear (triangle) filter, max(0, 1 − |x|).
    /// </summary>
    public static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    // The taps of one axis for the kept outputs [start, start + count) of a resize from inSize to outSize, as PIL's
    // precompute_coeffs: centre (i + 0.5)·scale, support max(scale, 1), taps int(centre ± support + 0.5) clamped to the
    // image, weights triangle((j + 0.5 − centre) / max(scale, 1)) normalised to sum 1.
    private sealed class Filter
    {
        private float[] _weights = [];

        public int[] First { get; private init; } = [];

        public int[] Taps { get; private init; } = [];

        public int MaxTaps { get; private init; }

        public ReadOnlySpan<float> WeightsOf(int i) => _weights.AsSpan(i * MaxTaps, Taps[i]);

        public static Filter For(int inSize, int outSize, int start, int count)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale;
            int maxTaps = (int)Math.Ceiling(support) * 2 + 1;
            var first = new int[count];
            var taps = new int[count];
            var weights = new float[count * maxTaps];
            var w = new double[maxTaps];
            for (int i = 0; i < count; i++)
            {
                double centre = (start + i + 0.5) * scale;
                int lo = Math.Max(0, (int)(centre - support + 0.5));
                int hi = Math.Min(inSize, (int)(centre + support + 0.5));
                int n = Math.Min(hi - lo, maxTaps);
                double total = 0;
                for (int k = 0; k < n; k++)
                {
                    w[k] = Triangle((lo + k + 0.5 - centre) / filterScale);
                    total += w[k];
                }

                for (int k = 0; k < n; k++)
                {
                    weights[(i * maxTaps) + k] = (float)(total == 0 ? 0 : w[k] / total);
                }

                first[i] = lo;
                taps[i] = n;
            }

            return new Filter { First = first, Taps = taps, MaxTaps = maxTaps, _weights = weights };
        }
    }
}
