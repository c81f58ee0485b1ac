// Activation edge cases with PyTorch's conventions: the gradient at exactly 0 (ReLU 0, LeakyReLU its slope)
// and NaN propagation, both in the SIMD body and in the scalar tail of the CPU kernels.
namespace Dcgan.Tests.Modules;

using Dcgan.Backends.Cpu;
using Dcgan.Modules;
using Dcgan.Tensors;

public sealed class ActivationCaseTests
{
    [Fact]
    public void ReLU_gradient_at_zero_is_zero_and_LeakyReLU_gradient_at_zero_is_its_slope()
    {
        var backend = new CpuBackend(threads: 1);
        using var relu = new ReLU();
        using var leaky = new LeakyReLU(0.2f);
        relu.To(backend);
        leaky.To(backend);

        // Length 17 puts zeros both in the vector body and in the tail.
        var input = new float[17];
        input[3] = -1f;
        input[5] = 2f;
        input[14] = -0f;
        using Tensor x = backend.Allocate(new TensorShape(17));
        x.CopyFrom(input);
        using Tensor ones = backend.Allocate(new TensorShape(17));
        backend.Fill(ones, 1f);

        relu.Forward(x);
        float[] reluGrad = relu.Backward(ones).ToArray();
        leaky.Forward(x);
        float[] leakyGrad = leaky.Backward(ones).ToArray();

        for (int i = 0; i < 17; i++)
        {
            float expectedRelu = input[i] > 0 ? 1f : 0f;
            float expectedLeaky = input[i] > 0 ? 1f : 0.2f;
            Assert.True(reluGrad[i] == expectedRelu, $"ReLU'({input[i]}) at [{i}] is {reluGrad[i]}; expected {expectedRelu}.");
            Assert.True(leakyGrad[i] == expectedLeaky, $"LeakyReLU(0.2)'({input[i]}) at [{i}] is {leakyGrad[i]}; expected {expectedLeaky}.");
        }
    }

    [Fact]
    public void ReLU_gradient_below_zero_is_plus_zero_whatever_the_incoming_gradient()
    {
        // PyTorch's threshold_backward selects 0 where x ≤ 0: not dy·0, which is −0 for negative dy and NaN for ±∞.
        var backend = new CpuBackend(threads: 1);
        using var relu = new ReLU();
        relu.To(backend);
        const int length = 19; // vector body and tail
        using Tensor x = backend.Allocate(new TensorShape(length));
        backend.Fill(x, -1f);
        float[] incoming = new float[length];
        for (int i = 0; i < length; i++)
        {
            incoming[i] = (i % 3) switch { 0 => -2.5f, 1 => float.PositiveInfinity, _ => float.NegativeInfinity };
        }

        using Tensor dy = backend.Allocate(new TensorShape(length));
        dy.CopyFrom(incoming);

        relu.Forward(x);
        float[] dx = relu.Backward(dy).ToArray();

        for (int i = 0; i < length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(dx[i]) == 0, $"ReLU' at x = −1 with dy = {incoming[i]} gave {dx[i]:R} at [{i}]; expected +0.");
        }
    }

    public static TheoryData<string> NaNActivations => ["ReLU", "LeakyReLU", "Tanh"];

    [Theory]
    [MemberData(nameof(NaNActivations))]
    public void NaN_in_gives_NaN_out_in_the_vector_body_and_the_tail(string name)
    {
        var backend = new CpuBackend(threads: 1);
        using Module activation = name switch
        {
            "ReLU" => new ReLU(),
            "LeakyReLU" => new LeakyReLU(0.2f),
            _ => new Tanh(),
        };
        activation.To(backend);
        var input = new float[17];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (i % 3) - 1; // −1, 0, 1, ...
        }

        input[0] = float.NaN;  // first element of the first vector
        input[16] = float.NaN; // the tail for any vector width up to 16
        using Tensor x = backend.Allocate(new TensorShape(17));
        x.CopyFrom(input);

        float[] y = activation.Forward(x).ToArray();

        Assert.True(float.IsNaN(y[0]), $"{activation}(NaN) at [0] gave {y[0]}.");
        Assert.True(float.IsNaN(y[16]), $"{activation}(NaN) at [16] gave {y[16]}.");
        for (int i = 1; i < 16; i++)
        {
            Assert.False(float.IsNaN(y[i]), $"{activation}({input[i]}) at [{i}] gave NaN.");
        }
    }
}
