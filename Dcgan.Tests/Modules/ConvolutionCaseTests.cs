// Small convolution cases that have broken other libraries: output_padding semantics, output sizes of the
// DCGAN geometries (PyTorch's formulas), and argument validation that names the offending value.
namespace Dcgan.Tests.Modules;

using Dcgan.Backends.Cpu;
using Dcgan.Modules;
using Dcgan.Tensors;

public sealed class ConvolutionCaseTests
{
    [Fact]
    public void ConvTranspose2d_k3_s2_p1_op1_on_a_single_one_crops_the_kernel_to_its_bottom_right()
    {
        // The full output of a 1×1 input is the 3×3 kernel; padding 1 removes row and column 0, and
        // output_padding 1 keeps the computed row and column 2, giving a 2×2 output [[5, 6], [8, 9]].
        var backend = new CpuBackend(threads: 1);
        using var convT = new ConvTranspose2d(1, 1, 3, stride: 2, padding: 1, outputPadding: 1, bias: false);
        convT.To(backend);
        convT.Weight.Data.CopyFrom([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        using Tensor x = backend.Allocate(new TensorShape(1, 1, 1, 1));
        x.CopyFrom([1f]);

        Tensor y = convT.Forward(x);

        Assert.Equal(new TensorShape(1, 1, 2, 2), y.Shape);
        Assert.Equal([5f, 6f, 8f, 9f], y.ToArray());
    }

    [Theory]
    [InlineData(4, 1, 0, 0, 1, 4)]   // DCGAN latent 1×1 → 4×4
    [InlineData(4, 2, 1, 0, 4, 8)]
    [InlineData(4, 2, 1, 0, 7, 14)]
    [InlineData(4, 2, 1, 0, 14, 28)]
    [InlineData(5, 2, 2, 1, 7, 14)]  // TensorFlow tutorial
    [InlineData(5, 1, 2, 0, 7, 7)]
    [InlineData(3, 2, 1, 1, 7, 14)]
    public void ConvTranspose2d_output_size_follows_PyTorch(int kernel, int stride, int padding, int outputPadding, int side, int expected)
    {
        var backend = new CpuBackend(threads: 1);
        using var convT = new ConvTranspose2d(2, 3, kernel, stride, padding, outputPadding);
        convT.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(2, 2, side, side));

        Tensor y = convT.Forward(x);

        Assert.Equal(new TensorShape(2, 3, expected, expected), y.Shape);
        Assert.Equal(new TensorShape(2, 2, side, side), convT.Backward(y).Shape);
    }

    [Theory]
    [InlineData(4, 2, 1, 28, 14)]
    [InlineData(4, 2, 1, 14, 7)]
    [InlineData(5, 2, 2, 28, 14)]
    public void Conv2d_output_size_follows_PyTorch(int kernel, int stride, int padding, int side, int expected)
    {
        var backend = new CpuBackend(threads: 1);
        using var conv = new Conv2d(2, 3, kernel, stride, padding);
        conv.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(2, 2, side, side));

        Tensor y = conv.Forward(x);

        Assert.Equal(new TensorShape(2, 3, expected, expected), y.Shape);
        Assert.Equal(new TensorShape(2, 2, side, side), conv.Backward(y).Shape);
    }

    [Fact]
    public void Conv2d_then_ConvTranspose2d_chain_keeps_MNIST_sizes()
    {
        // 28 → 14 → 7 down, 7 → 14 → 28 up: the discriminator and generator of the 28×28 DCGAN.
        var backend = new CpuBackend(threads: 1);
        using var down = new Sequential(new Conv2d(1, 2, 4, 2, 1), new Conv2d(2, 2, 4, 2, 1));
        using var up = new Sequential(new ConvTranspose2d(2, 2, 4, 2, 1), new ConvTranspose2d(2, 1, 4, 2, 1));
        down.To(backend);
        up.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(1, 1, 28, 28));

        Tensor h = down.Forward(x);
        Tensor y = up.Forward(h);

        Assert.Equal(new TensorShape(1, 2, 7, 7), h.Shape);
        Assert.Equal(new TensorShape(1, 1, 28, 28), y.Shape);
    }

    [Theory]
    [InlineData(2, "output_padding is 2")]   // output_padding == stride
    [InlineData(3, "output_padding is 3")]   // output_padding > stride
    [InlineData(-1, "output_padding is -1")]
    public void ConvTranspose2d_rejects_output_padding_not_below_stride(int outputPadding, string expectedText)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new ConvTranspose2d(1, 1, 3, stride: 2, padding: 1, outputPadding: outputPadding));
        Assert.Contains(expectedText, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1, 0, "kernel_size is 0")]
    [InlineData(-3, 1, 0, "kernel_size is -3")]
    [InlineData(3, 0, 0, "stride is 0")]
    [InlineData(3, -2, 0, "stride is -2")]
    [InlineData(3, 1, -1, "padding is -1")]
    public void Convolutions_reject_bad_hyper_parameters_naming_the_value(int kernel, int stride, int padding, string expectedText)
    {
        var e1 = Assert.ThrowsAny<ArgumentException>(() => new Conv2d(1, 1, kernel, stride, padding));
        Assert.Contains(expectedText, e1.Message, StringComparison.Ordinal);
        var e2 = Assert.ThrowsAny<ArgumentException>(() => new ConvTranspose2d(1, 1, kernel, stride, padding));
        Assert.Contains(expectedText, e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convolutions_reject_an_input_with_the_wrong_channel_count_naming_it()
    {
        var backend = new CpuBackend(threads: 1);
        using var conv = new Conv2d(3, 4, 3);
        using var convT = new ConvTranspose2d(3, 4, 3);
        conv.To(backend);
        convT.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(2, 7, 8, 8));

        var e1 = Assert.ThrowsAny<ArgumentException>(() => conv.Forward(x));
        Assert.Contains("7", e1.Message, StringComparison.Ordinal);
        Assert.Contains("3", e1.Message, StringComparison.Ordinal);
        var e2 = Assert.ThrowsAny<ArgumentException>(() => convT.Forward(x));
        Assert.Contains("7", e2.Message, StringComparison.Ordinal);
        Assert.Contains("3", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_rejects_an_input_smaller_than_the_kernel_naming_the_sizes()
    {
        var backend = new CpuBackend(threads: 1);
        using var conv = new Conv2d(1, 1, 5);
        conv.To(backend);
        using Tensor x = backend.Allocate(new TensorShape(1, 1, 3, 9));

        var e = Assert.ThrowsAny<ArgumentException>(() => conv.Forward(x));
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
        Assert.Contains("5", e.Message, StringComparison.Ordinal);
    }
}
