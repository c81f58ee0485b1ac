// Float64 finite-difference checks of BatchNorm1d and BatchNorm2d in training mode (batch statistics,
// so every input moves every output of its channel) and eval mode (running statistics, an affine map).
namespace Dcgan.Tests.GradCheck;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;

public sealed class BatchNormGradCheckTests
{
    [Theory]
    [InlineData(true, 3, 3, 4, 5)]
    [InlineData(false, 3, 3, 4, 5)]
    [InlineData(true, 3, 2, 1, 1)]  // three values per channel (with two, x̂ = ±1 whatever x is)
    [InlineData(true, 4, 2, 3, 1)]
    public void BatchNorm2d_gradients_match_central_differences(bool training, int n, int c, int h, int w)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(303);
        using var bn = new BatchNorm2d(c);
        bn.To(backend, random);
        Randomize(backend, bn, random);
        bn.Train(training);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(n, c, h, w), () => random.Normal(0.5, 2.0));
        FiniteDifference.CheckModule($"{bn} training={training}", bn, x, random);
    }

    [Theory]
    [InlineData(true, new[] { 5, 3 })]
    [InlineData(false, new[] { 5, 3 })]
    [InlineData(true, new[] { 3, 2, 4 })]
    [InlineData(false, new[] { 3, 2, 4 })]
    public void BatchNorm1d_gradients_match_central_differences(bool training, int[] shape)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(404);
        using var bn = new BatchNorm1d(shape[1]);
        bn.To(backend, random);
        Randomize(backend, bn, random);
        bn.Train(training);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(shape), () => random.Normal(-0.3, 1.5));
        FiniteDifference.CheckModule($"{bn} training={training}", bn, x, random);
    }

    /// <summary>Gamma, beta and the running statistics away from their defaults, so no term of the gradient hides behind a 1 or a 0.</summary>
    private static void Randomize(Float64Backend backend, BatchNorm bn, RandomSource random)
    {
        FiniteDifference.Fill(backend, bn.Weight.Data, () => random.Uniform(0.5, 1.5));
        FiniteDifference.Fill(backend, bn.Bias.Data, () => random.Uniform(-0.5, 0.5));
        FiniteDifference.Fill(backend, bn.RunningMean, () => random.Uniform(-0.5, 0.5));
        FiniteDifference.Fill(backend, bn.RunningVar, () => random.Uniform(0.5, 2.0));
    }
}
