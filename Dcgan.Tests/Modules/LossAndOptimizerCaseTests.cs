// BCEWithLogitsLoss and CrossEntropyLoss at extreme logits (the stable forms must stay exact and finite) and their gradients, and
// Adam's first steps with the DCGAN betas, checked against values computed by hand from torch.optim.Adam's update.
namespace Dcgan.Tests.Modules;

using Dcgan.Backends.Cpu;
using Dcgan.Losses;
using Dcgan.Modules;
using Dcgan.Optimizers;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

public sealed class LossAndOptimizerCaseTests
{
    [Theory]
    [InlineData(-100f, 0f, 0.0)]
    [InlineData(100f, 0f, 100.0)]
    [InlineData(-50f, 1f, 50.0)]
    [InlineData(8e7f, 0f, 8e7)]
    [InlineData(0f, 1f, 0.69314718)]
    public void BCEWithLogits_is_exact_and_finite_at_extreme_logits(float logit, float target, double expected)
    {
        var backend = new CpuBackend(threads: 1);
        using var loss = new BCEWithLogitsLoss();
        using Tensor x = backend.Allocate(new TensorShape(1));
        x.CopyFrom([logit]);

        float value = loss.Forward(x, target).Item();
        float grad = loss.Backward().ToArray()[0];

        Assert.True(float.IsFinite(value) && float.IsFinite(grad), $"BCE({logit}, {target}) = {value}, gradient {grad}.");
        Compare.Close($"BCE({logit}, {target})", [expected], [value], 1e-6, 1e-30);
    }

    [Fact]
    public void BCEWithLogits_gradient_of_the_mean_matches_sigmoid_minus_target_over_n()
    {
        // (σ(x) − 1)/8 in float64 for targets 1. The last value is −5.6747e-6 exactly; float32 rounding of σ(10)
        // near 1 leaves about 1e-3 relative error there, so the floor is 1e-8 absolute.
        var backend = new CpuBackend(threads: 1);
        using var loss = new BCEWithLogitsLoss();
        float[] logits = [-50, -10, -5, -2, 0, 2, 5, 10];
        using Tensor x = backend.Allocate(new TensorShape(8));
        x.CopyFrom(logits);

        loss.Forward(x, 1f);
        float[] grad = loss.Backward().ToArray();

        double[] expected = [-0.125, -0.124994325, -0.124163394, -0.110099635, -0.0625, -0.014900365, -0.000836606, -0.0000056747];
        Compare.Close("dBCE/dx, targets 1", expected, grad, 1e-5, 1e-8);
    }

    [Fact]
    public void BCEWithLogits_stays_finite_at_plus_and_minus_1000()
    {
        var backend = new CpuBackend(threads: 1);
        using var loss = new BCEWithLogitsLoss();
        using Tensor x = backend.Allocate(new TensorShape(4));
        x.CopyFrom([-1000f, 1000f, -1000f, 1000f]);
        using Tensor y = backend.Allocate(new TensorShape(4));
        y.CopyFrom([0f, 1f, 1f, 0f]);

        float value = loss.Forward(x, y).Item();
        float[] grad = loss.Backward().ToArray();

        // Two right answers with loss 0 and two wrong by 1000: mean 500; gradients (σ − y)/4 = 0, 0, −0.25, 0.25.
        Compare.Close("BCE(±1000)", [500.0], [value], 1e-6, 0);
        Compare.Close("dBCE(±1000)", [0, 0, -0.25, 0.25], grad, 1e-6, 1e-30);
    }

    [Fact]
    public void CrossEntropy_is_exact_and_finite_at_plus_and_minus_1000()
    {
        // Row 0: target holds the 1000 logit, loss 0, gradient 0. Row 1: target at −1000 against a 1000: loss 2000,
        // gradient +1/2 at the 1000 and −1/2 at the target. Row 2: three equal logits, loss ln 3, gradient (1/3 − [c = t])/3.
        var backend = new CpuBackend(threads: 1);
        using var loss = new CrossEntropyLoss();
        using Tensor x = backend.Allocate(new TensorShape(3, 3));
        x.CopyFrom([1000f, -1000f, 0f, 1000f, -1000f, 0f, 5f, 5f, 5f]);

        float value = loss.Forward(x, [0, 1, 2]).Item();
        float[] grad = loss.Backward().ToArray();

        Compare.Close("CE(±1000)", [(2000 + Math.Log(3)) / 3], [value], 1e-6, 0);
        double third = 1.0 / 9;
        Compare.Close("dCE(±1000)", [0, 0, 0, 1.0 / 3, -1.0 / 3, 0, third, third, third - (1.0 / 3)], grad, 1e-6, 1e-30);
    }

    [Fact]
    public void CrossEntropy_rejects_bad_targets_and_shapes_by_value()
    {
        var backend = new CpuBackend(threads: 1);
        using var loss = new CrossEntropyLoss();
        using Tensor x = backend.Allocate(new TensorShape(2, 4));
        var e = Assert.Throws<ArgumentException>(() => loss.Forward(x, [1, 4]));
        Assert.Equal("target[1] is 4; a class index must be in [0, 4). (Parameter 'target')", e.Message);
        e = Assert.Throws<ArgumentException>(() => loss.Forward(x, [-1, 0]));
        Assert.Contains("target[0] is -1", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => loss.Forward(x, [1]));
        Assert.Contains("1 class indices; expected 2", e.Message, StringComparison.Ordinal);
        using Tensor flat = backend.Allocate(new TensorShape(8));
        e = Assert.Throws<ArgumentException>(() => loss.Forward(flat, [1]));
        Assert.Contains("expected logits [N, C]", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new CrossEntropyLoss().Backward());
    }

    [Fact]
    public void Adam_first_step_with_DCGAN_betas_moves_by_lr_times_g_over_abs_g_plus_eps()
    {
        // Step 1: m̂ = g and v̂ = g², so the update is lr·g/(|g| + eps):
        // g = 1 → 2.0e−4, g = 1e−3 → 1.99998e−4, g = 1e−9 → 2e−4/11 = 1.81818e−5.
        var backend = new CpuBackend(threads: 1);
        using var layer = new Linear(3, 1, bias: false);
        layer.To(backend);
        layer.Weight.Data.CopyFrom([0f, 0f, 0f]);
        using var adam = new Adam(layer.Parameters(), learningRate: 2e-4f, beta1: 0.5f, beta2: 0.999f, eps: 1e-8f);
        layer.Weight.Grad.CopyFrom([1f, 1e-3f, 1e-9f]);

        adam.Step();

        double lr = 2e-4f; // the float32 learning rate as it is stored
        double[] expected = [-lr / (1 + 1e-8), -lr * 1e-3 / (1e-3 + 1e-8), -lr * 1e-9 / (1e-9 + 1e-8)];
        Compare.Close("Adam step 1", expected, layer.Weight.Data.ToArray(), 2e-6, 0);
        Compare.Close("Adam step 1 (stated)", [-2.0e-4, -1.99998e-4, -1.81818e-5], layer.Weight.Data.ToArray(), 1e-5, 0);
        Assert.Equal(1, adam.StepCount);
    }

    [Fact]
    public void Adam_ten_steps_of_a_constant_gradient_move_by_ten_learning_rates()
    {
        // With a constant g the bias corrections make m̂ = g and v̂ = g² at every step.
        var backend = new CpuBackend(threads: 1);
        using var layer = new Linear(4, 1, bias: false);
        layer.To(backend);
        layer.Weight.Data.CopyFrom([0f, 1f, -1f, 0.5f]);
        using var adam = new Adam(layer.Parameters(), learningRate: 2e-4f, beta1: 0.5f, beta2: 0.999f, eps: 1e-8f);
        for (int step = 0; step < 10; step++)
        {
            layer.Weight.Grad.CopyFrom([1f, 1f, 1f, 1f]);
            adam.Step();
        }

        double move = 10 * (double)2e-4f;
        Compare.Close("Adam 10 steps", [-move, 1 - move, -1 - move, 0.5 - move], layer.Weight.Data.ToArray(), 1e-6, 1e-9);
    }
}
