// Hand-computed BatchNorm cases with PyTorch's semantics: biased variance to normalise, unbiased variance in
// running_var, momentum 0.1, eps inside the square root, and the one-value-per-channel error of training mode.
namespace Dcgan.Tests.Modules;

using Dcgan.Backends.Cpu;
using Dcgan.Modules;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

public sealed class BatchNormCaseTests
{
    [Fact]
    public void BatchNorm1d_training_forward_and_running_statistics_match_hand_computation()
    {
        // Channel c of sample i holds 4c+1+i .. 4c+4+i. Per channel the 16 values are 4c + i + j
        // (i ∈ 0..3, j ∈ 1..4): mean 4c + 4, biased variance 1.25 + 1.25 = 2.5, unbiased 2.5·16/15.
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm1d(3);
        bn.To(backend);
        var data = new float[4 * 3 * 4];
        for (int i = 0; i < 4; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int l = 0; l < 4; l++)
                {
                    data[(((i * 3) + c) * 4) + l] = (4 * c) + 1 + i + l;
                }
            }
        }

        using Tensor x = backend.Allocate(new TensorShape(4, 3, 4));
        x.CopyFrom(data);

        float[] y = bn.Forward(x).ToArray();

        // Row [0, 0] is 1, 2, 3, 4: (x − 4)/√(2.5 + 1e-5).
        Compare.Close("BatchNorm1d output[0, 0, :]", [-1.897363, -1.264909, -0.632454, 0.0], y.AsSpan(0, 4), 2e-6, 1e-6);
        // running_mean = 0.9·0 + 0.1·(4c + 4); running_var = 0.9·1 + 0.1·(2.5·16/15) = 1.1666667.
        Compare.Close("running_mean", [0.4, 0.8, 1.2], bn.RunningMean.ToArray(), 1e-6, 1e-7);
        Compare.Close("running_var", [7.0 / 6, 7.0 / 6, 7.0 / 6], bn.RunningVar.ToArray(), 1e-6, 1e-7);
        Assert.Equal(1, bn.NumBatchesTracked);
    }

    [Fact]
    public void BatchNorm1d_backward_matches_hand_computation()
    {
        // x = [1, 2, 3, 5]: mean 2.75, biased variance 2.1875. With gamma 2 and dy = [0.1, −0.2, 0.3, 0.4]:
        // dbeta = Σdy = 0.6, dgamma = Σdy·x̂ = 0.642316 and
        // dx = gamma/σ·(dy − mean(dy) − x̂·mean(dy·x̂)).
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm1d(1);
        bn.To(backend);
        bn.Weight.Data.CopyFrom([2f]);
        bn.Bias.Data.CopyFrom([0.5f]);
        using Tensor x = backend.Allocate(new TensorShape(4, 1));
        x.CopyFrom([1f, 2f, 3f, 5f]);
        using Tensor dy = backend.Allocate(new TensorShape(4, 1));
        dy.CopyFrom([0.1f, -0.2f, 0.3f, 0.4f]);

        bn.Forward(x);
        bn.ZeroGrad();
        float[] dx = bn.Backward(dy).ToArray();

        Compare.Close("dx", [0.189313, -0.363175, 0.166133, 0.007729], dx, 1e-5, 1e-6);
        Compare.Close("dgamma", [0.642316], bn.Weight.Grad.ToArray(), 1e-5, 1e-6);
        Compare.Close("dbeta", [0.6], bn.Bias.Grad.ToArray(), 1e-6, 1e-7);

        // A gradient that is the same for every sample only shifts the mean, which the normalisation removes.
        dy.CopyFrom([1f, 1f, 1f, 1f]);
        bn.Forward(x);
        float[] dxOnes = bn.Backward(dy).ToArray();
        Compare.Close("dx for dy = 1", [0.0, 0.0, 0.0, 0.0], dxOnes, 0, 1e-6);
    }

    [Fact]
    public void BatchNorm_puts_eps_inside_the_square_root()
    {
        // x = [0, 0.002]: variance 1e-6 ≪ eps 1e-5, so (x − mean)/√(var + eps) = ±0.001/√1.1e-5 = ±0.301511;
        // eps added after the square root would give ±0.001/(0.001 + 1e-5) = ±0.990.
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm1d(1, eps: 1e-5f);
        bn.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(2, 1));
        x.CopyFrom([0f, 0.002f]);

        float[] y = bn.Forward(x).ToArray();

        Compare.Close("BatchNorm1d([0, 0.002])", [-0.301511, 0.301511], y, 1e-5, 1e-7);
    }

    [Fact]
    public void BatchNorm1d_training_rejects_one_value_per_channel()
    {
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm1d(3);
        bn.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(1, 3));

        var e = Assert.ThrowsAny<ArgumentException>(() => bn.Forward(x));
        Assert.Contains("[1, 3]", e.Message, StringComparison.Ordinal);

        // Eval mode normalises with the running statistics and accepts a single sample.
        bn.Eval();
        Assert.Equal(new TensorShape(1, 3), bn.Forward(x).Shape);
    }

    [Fact]
    public void BatchNorm2d_training_rejects_one_value_per_channel_but_accepts_a_single_2x2_sample()
    {
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm2d(3);
        bn.To(backend);
        using Tensor single = backend.Allocate(new TensorShape(1, 3, 1, 1));
        var e = Assert.ThrowsAny<ArgumentException>(() => bn.Forward(single));
        Assert.Contains("[1, 3, 1, 1]", e.Message, StringComparison.Ordinal);

        using Tensor x = backend.Allocate(new TensorShape(1, 3, 2, 2));
        x.CopyFrom([1, 2, 3, 4, 0, 0, 0, 2, -1, -1, -1, -1]);
        float[] y = bn.Forward(x).ToArray();

        // Channel 0: mean 2.5, variance 1.25; channel 1: mean 0.5, variance 0.75; channel 2 is constant → 0.
        double s0 = Math.Sqrt(1.25 + 1e-5), s1 = Math.Sqrt(0.75 + 1e-5);
        Compare.Close("BatchNorm2d (1, 3, 2, 2)", [-1.5 / s0, -0.5 / s0, 0.5 / s0, 1.5 / s0, -0.5 / s1, -0.5 / s1, -0.5 / s1, 1.5 / s1, 0, 0, 0, 0], y, 1e-5, 1e-6);
    }

    [Fact]
    public void BatchNorm_eval_mode_uses_and_keeps_the_running_statistics()
    {
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm2d(2);
        bn.To(backend);
        bn.RunningMean.CopyFrom([1f, -2f]);
        bn.RunningVar.CopyFrom([4f, 0.25f]);
        bn.Weight.Data.CopyFrom([3f, 1f]);
        bn.Bias.Data.CopyFrom([0.5f, 0f]);
        bn.Eval();
        using Tensor x = backend.Allocate(new TensorShape(1, 2, 1, 2));
        x.CopyFrom([1f, 3f, -2f, -1f]);

        float[] y = bn.Forward(x).ToArray();

        double s0 = Math.Sqrt(4 + 1e-5), s1 = Math.Sqrt(0.25 + 1e-5);
        Compare.Close("eval output", [0.5, (3 * 2 / s0) + 0.5, 0, 1 / s1], y, 1e-5, 1e-6);
        Assert.Equal([1f, -2f], bn.RunningMean.ToArray());
        Assert.Equal([4f, 0.25f], bn.RunningVar.ToArray());
        Assert.Equal(0, bn.NumBatchesTracked);
    }

    [Fact]
    public void BatchNorm_with_null_momentum_keeps_a_cumulative_average()
    {
        // PyTorch's momentum=None: running = running + (batch − running)/num_batches_tracked.
        var backend = new CpuBackend(threads: 1);
        using var bn = new BatchNorm1d(1, momentum: null);
        bn.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(2, 1));
        x.CopyFrom([0f, 2f]);   // mean 1, unbiased variance 2
        bn.Forward(x);
        x.CopyFrom([4f, 8f]);   // mean 6, unbiased variance 8
        bn.Forward(x);

        Compare.Close("running_mean", [3.5], bn.RunningMean.ToArray(), 1e-6, 1e-7);
        Compare.Close("running_var", [5.0], bn.RunningVar.ToArray(), 1e-6, 1e-7);
    }
}
