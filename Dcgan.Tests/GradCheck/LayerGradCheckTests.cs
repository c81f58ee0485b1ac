// Float64 finite-difference checks of Linear, the activations, Dropout (a fixed mask), Flatten/Unflatten
// and a small Sequential network, plus BCEWithLogitsLoss's and CrossEntropyLoss's gradients with respect to the logits.
namespace Dcgan.Tests.GradCheck;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;

public sealed class LayerGradCheckTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear_gradients_match_central_differences(bool bias)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(505);
        using var linear = new Linear(5, 4, bias);
        linear.To(backend, random);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(3, 5), () => random.Normal());
        FiniteDifference.CheckModule(linear.ToString(), linear, x, random);
    }

    public static TheoryData<string> ActivationNames => ["ReLU", "LeakyReLU", "Tanh", "Sigmoid"];

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Activation_gradients_match_central_differences(string name)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(606);
        using Module activation = name switch
        {
            "ReLU" => new ReLU(),
            "LeakyReLU" => new LeakyReLU(0.2f),
            "Tanh" => new Tanh(),
            _ => new Sigmoid(),
        };
        activation.To(backend, random);

        // |x| ≥ 0.05 keeps every central difference on one side of the kink of ReLU and LeakyReLU.
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(2, 3, 4, 5), () => 3 * FiniteDifference.AwayFromZero(random, 0.05 / 3));
        FiniteDifference.CheckModule(activation.ToString()!, activation, x, random);
    }

    [Fact]
    public void Dropout_gradient_matches_central_differences_with_a_fixed_mask()
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(707);
        using var dropout = new Dropout(0.3f, seed: 12345);
        dropout.To(backend, random);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(4, 25), () => FiniteDifference.AwayFromZero(random));

        // Each forward draws the mask of (Seed, Calls); resetting Calls makes every perturbed pass use the same mask.
        FiniteDifference.CheckModule(dropout.ToString(), dropout, x, random, beforeForward: () => dropout.Calls = 0);

        dropout.Calls = 0;
        double[] y = backend.GetSpan(dropout.Forward(x)).ToArray();
        int dropped = y.Count(v => v == 0.0);
        Assert.True(dropped is > 10 and < 60, $"Dropout(0.3) zeroed {dropped} of 100 values; the check above needs a mask with some zeros and some kept values.");
    }

    [Fact]
    public void Flatten_and_Unflatten_gradients_match_central_differences()
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(808);
        using var flatten = new Flatten();
        flatten.To(backend, random);
        using Tensor x4 = FiniteDifference.Random(backend, new TensorShape(2, 3, 2, 2), () => random.Normal());
        FiniteDifference.CheckModule(flatten.ToString(), flatten, x4, random);

        using var unflatten = new Unflatten(3, 2, 2);
        unflatten.To(backend, random);
        using Tensor x2 = FiniteDifference.Random(backend, new TensorShape(2, 12), () => random.Normal());
        FiniteDifference.CheckModule(unflatten.ToString(), unflatten, x2, random);
    }

    [Fact]
    public void Sequential_network_gradients_match_central_differences()
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(909);
        using var network = new Sequential(
            new Conv2d(2, 3, 3, stride: 2, padding: 1), // (N, 3, 3, 4)
            new BatchNorm2d(3),
            new LeakyReLU(0.2f),
            new Flatten(),                              // (N, 36)
            new Linear(36, 2));
        network.To(backend, random);
        using Tensor x = FiniteDifference.Random(backend, new TensorShape(3, 2, 5, 7), () => random.Normal());

        // The LeakyReLU's inputs are the BatchNorm's outputs: make sure none sits on the kink, where a
        // central difference of step 1e-5 would straddle two slopes.
        Tensor z = network[1].Forward(network[0].Forward(x));
        double nearest = backend.GetSpan(z).ToArray().Min(Math.Abs);
        Assert.True(nearest > 1e-3, $"A LeakyReLU input is {nearest:E3} from the kink; pick another seed.");

        // A training-mode BatchNorm subtracts the batch mean, so the conv bias before it has no effect: its
        // gradient must come out zero (to rounding), analytic and numeric alike.
        FiniteDifference.CheckModule("Sequential(Conv2d, BatchNorm2d, LeakyReLU, Flatten, Linear)", network, x, random, zeroGradient: ["0.bias"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BCEWithLogits_gradient_matches_central_differences(bool binaryTargets)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(1010);
        using Tensor logits = FiniteDifference.Random(backend, new TensorShape(3, 5), () => random.Normal(0, 3));
        using Tensor target = FiniteDifference.Random(backend, new TensorShape(3, 5), () => binaryTargets ? random.NextInt(2) : random.NextDouble());
        FiniteDifference.CheckBceWithLogits($"BCEWithLogitsLoss binary={binaryTargets}", logits, target);
    }

    [Theory]
    [InlineData(4, 10, 1.0)]
    [InlineData(3, 2, 5.0)]
    [InlineData(1, 1, 1.0)]
    public void CrossEntropy_gradient_matches_central_differences(int rows, int classes, double spread)
    {
        var backend = new Float64Backend(threads: 1);
        var random = new RandomSource(1111);
        using Tensor logits = FiniteDifference.Random(backend, new TensorShape(rows, classes), () => random.Normal(0, spread));
        int[] target = Enumerable.Range(0, rows).Select(_ => random.NextInt(classes)).ToArray();
        if (classes == 1)
        {
            // One class: the loss is 0 for any logit and so is its gradient; the check must see an exact zero.
            using var loss = new Dcgan.Losses.CrossEntropyLoss();
            Assert.Equal(0.0, backend.GetSpan(loss.Forward(logits, target))[0]);
            Assert.All(backend.GetSpan(loss.Backward()).ToArray(), g => Assert.Equal(0.0, g));
            return;
        }

        FiniteDifference.CheckCrossEntropy($"CrossEntropyLoss {rows}x{classes} spread {spread}", logits, target);
    }
}
