// Convolutions on CpuBackend against definitions written out here: Conv2d as a gather (PyTorch's formula),
// ConvTranspose2d as a scatter of each input pixel times the kernel, Linear as x·Wᵀ + b, and the adjoint
// identity Σ convT(x, w)·y = Σ x·conv2d(y, w) over a sweep of kernel, stride, padding and output_padding.
namespace Dcgan.Tests.Backends;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

public sealed class ConvolutionReferenceTests
{
    private static float[] Draw(RandomSource random, int count)
    {
        var values = new float[count];
        random.FillUniform(values, -1, 1);
        return values;
    }

    private static Tensor Upload(CpuBackend backend, float[] values, params int[] shape)
    {
        Tensor t = backend.Allocate(new TensorShape(shape));
        t.CopyFrom(values);
        return t;
    }

    [Theory]
    [InlineData(3, 4, 3, 1, 0, 5, 7)]
    [InlineData(2, 3, 4, 2, 1, 8, 6)]
    [InlineData(1, 2, 5, 2, 2, 9, 7)]
    [InlineData(2, 2, 2, 3, 1, 7, 8)]
    public void Conv2d_forward_matches_the_gather_definition(int inChannels, int outChannels, int k, int s, int p, int h, int w)
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(11);
        using var conv = new Conv2d(inChannels, outChannels, k, s, p);
        conv.To(backend, random);
        const int n = 2;
        float[] x = Draw(random, n * inChannels * h * w);
        float[] weight = conv.Weight.Data.ToArray(), bias = conv.Bias!.Data.ToArray();
        using Tensor input = Upload(backend, x, n, inChannels, h, w);

        float[] y = conv.Forward(input).ToArray();

        int oh = ((h + (2 * p) - k) / s) + 1, ow = ((w + (2 * p) - k) / s) + 1;
        var expected = new double[n * outChannels * oh * ow];
        for (int b = 0; b < n; b++)
        {
            for (int co = 0; co < outChannels; co++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double sum = bias[co];
                        for (int ci = 0; ci < inChannels; ci++)
                        {
                            for (int u = 0; u < k; u++)
                            {
                                for (int v = 0; v < k; v++)
                                {
                                    int r = (i * s) + u - p, c = (j * s) + v - p;
                                    if (r >= 0 && r < h && c >= 0 && c < w)
                                    {
                                        sum += (double)x[(((b * inChannels) + ci) * h * w) + (r * w) + c] * weight[(((co * inChannels) + ci) * k * k) + (u * k) + v];
                                    }
                                }
                            }
                        }

                        expected[(((b * outChannels) + co) * oh * ow) + (i * ow) + j] = sum;
                    }
                }
            }
        }

        Compare.Close(conv.ToString(), expected, y, 1e-5, 1e-5);
    }

    [Theory]
    [InlineData(2, 3, 4, 1, 0, 0, 1, 1)]
    [InlineData(2, 3, 4, 2, 1, 0, 3, 4)]
    [InlineData(3, 2, 5, 2, 2, 1, 4, 3)]
    [InlineData(2, 2, 3, 2, 1, 1, 3, 3)]
    [InlineData(1, 2, 2, 3, 0, 2, 2, 3)]
    [InlineData(2, 1, 5, 1, 2, 0, 4, 5)]
    public void ConvTranspose2d_forward_matches_the_scatter_definition(int inChannels, int outChannels, int k, int s, int p, int op, int h, int w)
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(12);
        using var convT = new ConvTranspose2d(inChannels, outChannels, k, s, p, op);
        convT.To(backend, random);
        const int n = 2;
        float[] x = Draw(random, n * inChannels * h * w);
        float[] weight = convT.Weight.Data.ToArray(), bias = convT.Bias!.Data.ToArray();
        using Tensor input = Upload(backend, x, n, inChannels, h, w);

        float[] y = convT.Forward(input).ToArray();

        // Each input pixel (i, j) adds x·w[ci, co] to the output window starting at (i·s − p, j·s − p);
        // taps that land outside [0, H′) × [0, W′) are dropped. The last output_padding rows get bias only
        // unless a window reaches them.
        int oh = ((h - 1) * s) - (2 * p) + k + op, ow = ((w - 1) * s) - (2 * p) + k + op;
        var expected = new double[n * outChannels * oh * ow];
        for (int b = 0; b < n; b++)
        {
            for (int co = 0; co < outChannels; co++)
            {
                for (int q = 0; q < oh * ow; q++)
                {
                    expected[(((b * outChannels) + co) * oh * ow) + q] = bias[co];
                }

                for (int ci = 0; ci < inChannels; ci++)
                {
                    for (int i = 0; i < h; i++)
                    {
                        for (int j = 0; j < w; j++)
                        {
                            double v = x[(((b * inChannels) + ci) * h * w) + (i * w) + j];
                            for (int u = 0; u < k; u++)
                            {
                                for (int t = 0; t < k; t++)
                                {
                                    int r = (i * s) - p + u, c = (j * s) - p + t;
                                    if (r >= 0 && r < oh && c >= 0 && c < ow)
                                    {
                                        expected[(((b * outChannels) + co) * oh * ow) + (r * ow) + c] += v * weight[(((ci * outChannels) + co) * k * k) + (u * k) + t];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.Equal(new TensorShape(n, outChannels, oh, ow), convT.Forward(input).Shape);
        Compare.Close(convT.ToString(), expected, y, 1e-5, 1e-5);
    }

    [Fact]
    public void Linear_forward_matches_x_times_W_transposed_plus_b()
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(13);
        using var linear = new Linear(7, 5);
        linear.To(backend, random);
        float[] x = Draw(random, 3 * 7), weight = linear.Weight.Data.ToArray(), bias = linear.Bias!.Data.ToArray();
        using Tensor input = Upload(backend, x, 3, 7);

        float[] y = linear.Forward(input).ToArray();

        var expected = new double[3 * 5];
        for (int b = 0; b < 3; b++)
        {
            for (int o = 0; o < 5; o++)
            {
                double sum = bias[o];
                for (int i = 0; i < 7; i++)
                {
                    sum += (double)x[(b * 7) + i] * weight[(o * 7) + i];
                }

                expected[(b * 5) + o] = sum;
            }
        }

        Assert.Equal(new TensorShape(3, 5), linear.Forward(input).Shape);
        Compare.Close(linear.ToString(), expected, y, 1e-5, 1e-6);
    }

    [Fact]
    public void ConvTranspose2d_is_the_adjoint_of_Conv2d_over_a_sweep_of_geometries()
    {
        var backend = new CpuBackend(threads: 2);
        var random = new RandomSource(14);
        const int n = 2, inChannels = 2, outChannels = 3;
        int cases = 0;
        double worst = 0;
        for (int k = 1; k <= 5; k++)
        {
            for (int s = 1; s <= 3; s++)
            {
                for (int p = 0; p <= 2; p++)
                {
                    for (int op = 0; op < s; op++)
                    {
                        int h = 1 + random.NextInt(5), w = 1 + random.NextInt(5);
                        int oh = ((h - 1) * s) - (2 * p) + k + op, ow = ((w - 1) * s) - (2 * p) + k + op;
                        if (oh < 1 || ow < 1)
                        {
                            continue;
                        }

                        // convT has weight [in, out, k, k]; the Conv2d it is the adjoint of maps out → in channels with the same tensor.
                        using var convT = new ConvTranspose2d(inChannels, outChannels, k, s, p, op, bias: false);
                        using var conv = new Conv2d(outChannels, inChannels, k, s, p, bias: false);
                        convT.To(backend, random);
                        conv.To(backend, random);
                        conv.Weight.Data.CopyFrom(convT.Weight.Data.ToArray());
                        float[] x = Draw(random, n * inChannels * h * w), y = Draw(random, n * outChannels * oh * ow);
                        using Tensor tx = Upload(backend, x, n, inChannels, h, w), ty = Upload(backend, y, n, outChannels, oh, ow);

                        float[] up = convT.Forward(tx).ToArray();
                        float[] down = conv.Forward(ty).ToArray();

                        string what = $"k{k} s{s} p{p} op{op} on {h}x{w}";
                        Assert.True(up.Length == y.Length, $"{what}: convT output has {up.Length} values; expected {y.Length}.");
                        Assert.True(down.Length == x.Length, $"{what}: conv2d output has {down.Length} values; expected {x.Length}.");
                        (double lhs, double lhsScale) = Dot(up, y);
                        (double rhs, double rhsScale) = Dot(x, down);
                        double relative = Math.Abs(lhs - rhs) / Math.Max(Math.Max(lhsScale, rhsScale), 1e-30);
                        worst = Math.Max(worst, relative);
                        Assert.True(relative <= 1e-5, $"{what}: Σ convT(x,w)·y = {lhs:R} but Σ x·conv2d(y,w) = {rhs:R} (relative {relative:E3}).");
                        cases++;
                    }
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{cases} geometries, worst relative difference {worst:E3}");
        Assert.True(cases > 60, $"only {cases} geometries were checked.");

        // The sum, and the sum of magnitudes that scales the tolerance (the sum alone may cancel to near zero).
        static (double Sum, double Scale) Dot(float[] a, float[] b)
        {
            double sum = 0, scale = 0;
            for (int i = 0; i < a.Length; i++)
            {
                double term = (double)a[i] * b[i];
                sum += term;
                scale += Math.Abs(term);
            }

            return (sum, scale);
        }
    }
}
