// Float64 finite-difference checks of Conv2d and ConvTranspose2d: input, weight and bias gradients
// over odd and non-square shapes, strides, paddings and output paddings (the DCGAN geometries included).
namespace Dcgan.Tests.GradCheck;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;

public sealed class ConvGradCheckTests
{
    [Theory]
    [InlineData(3, 4, 3, 1, 0, true, 5, 7)]   // odd shapes, H ≠ W
    [InlineData(3, 4, 3, 1, 1, false, 5, 7)]  // padding, no bias
    [InlineData(2, 3, 3, 2, 1, true, 7, 6)]   // stride 2, padding
    [InlineData(2, 3, 4, 2, 1, false, 8, 6)]  // DCGAN discriminator block k4 s2 p1
    [InlineData(1, 2, 5, 2, 2, true, 9, 7)]   // k5 s2 p2
    [InlineData(2, 2, 2, 3, 0, true, 8, 7)]   // stride 3 skips pixels (the last ones never touch the output)
    [InlineData(3, 2, 1, 1, 0, true, 3, 4)]   // 1×1
    public void Conv2d_gradients_match_central_differences(int inChannels, int outChannels, int kernel, int stride, int padding, bool bias, int height, int width)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(101);
        using var conv = new Conv2d(inChannels, outChannels, kernel, stride, padding, bias);
        conv.To(backend, random);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(2, inChannels, height, width), () => random.Normal());
        FiniteDifference.CheckModule(conv.ToString(), conv, x, random);
    }

    [Theory]
    [InlineData(3, 2, 3, 1, 0, 0, true, 3, 4)]   // plain, H ≠ W
    [InlineData(2, 3, 3, 2, 0, 0, false, 3, 2)]  // stride 2, no bias
    [InlineData(2, 3, 3, 2, 1, 0, true, 4, 3)]   // stride 2, padding
    [InlineData(2, 2, 3, 2, 1, 1, true, 3, 4)]   // k3 s2 p1 output_padding 1
    [InlineData(2, 2, 4, 2, 1, 0, false, 3, 4)]  // DCGAN generator block k4 s2 p1
    [InlineData(2, 2, 5, 2, 2, 1, true, 3, 3)]   // TensorFlow tutorial block k5 s2 p2 op1
    [InlineData(3, 2, 4, 1, 0, 0, false, 1, 1)]  // latent 1×1 → 4×4
    [InlineData(1, 2, 2, 3, 0, 2, true, 2, 3)]   // stride 3, output_padding 2 (the extra rows get bias only)
    public void ConvTranspose2d_gradients_match_central_differences(int inChannels, int outChannels, int kernel, int stride, int padding, int outputPadding, bool bias, int height, int width)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(202);
        using var convT = new ConvTranspose2d(inChannels, outChannels, kernel, stride, padding, outputPadding, bias);
        convT.To(backend, random);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(2, inChannels, height, width), () => random.Normal());
        FiniteDifference.CheckModule(convT.ToString(), convT, x, random);
    }
}
