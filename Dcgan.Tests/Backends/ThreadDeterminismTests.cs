// CpuBackend promises the same bits for any thread count (work split by output element, every sum in one
// fixed order). Checked for the convolution kernels and BatchNorm forward/backward on random data.
namespace Dcgan.Tests.Backends;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Tensors;

public sealed class ThreadDeterminismTests
{
    private static float[] Draw(ulong seed, int count)
    {
        var values = new float[count];
        new RandomSource(seed).FillNormal(values);
        return values;
    }

    private static Tensor Upload(IBackend backend, float[] values, TensorShape shape)
    {
        Tensor t = backend.Allocate(shape);
        t.CopyFrom(values);
        return t;
    }

    private static void AssertSameBits(string what, float[] one, float[] two)
    {
        Assert.Equal(one.Length, two.Length);
        Assert.True(one.Any(v => v != 0f), $"{what}: the result is all zeros; the comparison would prove nothing.");
        for (int i = 0; i < one.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(one[i]) != BitConverter.SingleToInt32Bits(two[i]))
            {
                Assert.Fail($"{what}: 1 thread and 2 threads differ first at [{i}]: {one[i]:R} vs {two[i]:R}.");
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on CpuBackend(1) and CpuBackend(2) and returns both results.</summary>
    private static (float[][] One, float[][] Two) OnBoth(Func<CpuBackend, float[][]> work)
    {
        using var one = new CpuBackend(threads: 1);
        using var two = new CpuBackend(threads: 2);
        return (work(one), work(two));
    }

    [Fact]
    public void Convolution_kernels_give_the_same_bits_with_one_and_two_threads()
    {
        ConvGeometry g = ConvGeometry.ForConv2d(4, 6, 13, 11, 8, 3, 2, 1);
        float[] x = Draw(1, g.InputShape.ElementCount);
        float[] w = Draw(2, g.WeightShape.ElementCount);
        float[] dy = Draw(3, g.OutputShape.ElementCount);
        float[] dw0 = Draw(4, g.WeightShape.ElementCount); // gradWeight accumulates onto this

        (float[][] one, float[][] two) = OnBoth(backend =>
        {
            using Tensor input = Upload(backend, x, g.InputShape), weight = Upload(backend, w, g.WeightShape), gradOutput = Upload(backend, dy, g.OutputShape);
            using Tensor output = backend.Allocate(g.OutputShape), gradInput = backend.Allocate(g.InputShape), gradWeight = Upload(backend, dw0, g.WeightShape);
            backend.ConvForward(g, input, weight, output);
            backend.ConvBackwardInput(g, gradOutput, weight, gradInput);
            backend.ConvBackwardWeight(g, input, gradOutput, gradWeight);
            return [output.ToArray(), gradInput.ToArray(), gradWeight.ToArray()];
        });

        AssertSameBits("ConvForward", one[0], two[0]);
        AssertSameBits("ConvBackwardInput", one[1], two[1]);
        AssertSameBits("ConvBackwardWeight", one[2], two[2]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNorm_gives_the_same_bits_with_one_and_two_threads(bool training)
    {
        var shape = new TensorShape(8, 16, 5, 7);
        BatchNormGeometry g = BatchNormGeometry.FromShape(shape);
        var channels = new TensorShape(16);
        float[] x = Draw(5, shape.ElementCount), dy = Draw(6, shape.ElementCount);
        float[] gamma = Draw(7, 16), beta = Draw(8, 16), mean0 = Draw(9, 16);
        float[] var0 = Array.ConvertAll(Draw(10, 16), v => 0.5f + (v * v));

        (float[][] one, float[][] two) = OnBoth(backend =>
        {
            using Tensor input = Upload(backend, x, shape), gradOutput = Upload(backend, dy, shape);
            using Tensor weight = Upload(backend, gamma, channels), bias = Upload(backend, beta, channels);
            using Tensor runningMean = Upload(backend, mean0, channels), runningVar = Upload(backend, var0, channels);
            using Tensor output = backend.Allocate(shape), saveMean = backend.Allocate(channels), saveInvStd = backend.Allocate(channels);
            using Tensor gradInput = backend.Allocate(shape), gradWeight = Upload(backend, beta, channels), gradBias = Upload(backend, gamma, channels);
            backend.BatchNormForward(g, input, weight, bias, runningMean, runningVar, training, 0.1f, 1e-5f, output, saveMean, saveInvStd);
            backend.BatchNormBackward(g, training, gradOutput, input, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
            return [output.ToArray(), runningMean.ToArray(), runningVar.ToArray(), saveMean.ToArray(), saveInvStd.ToArray(), gradInput.ToArray(), gradWeight.ToArray(), gradBias.ToArray()];
        });

        string[] names = ["output", "running_mean", "running_var", "save_mean", "save_invstd", "grad_input", "grad_weight", "grad_bias"];
        for (int i = 0; i < names.Length; i++)
        {
            AssertSameBits($"BatchNorm training={training} {names[i]}", one[i], two[i]);
        }
    }
}
