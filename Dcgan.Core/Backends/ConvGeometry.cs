// Sizes of one 2-D convolution, validated once on the host before any kernel runs.
// Output size follows PyTorch's Conv2d / ConvTranspose2d documentation (dilation 1, groups 1).
namespace Dcgan.Backends;

using Dcgan.Tensors;

/// <summary>
/// The sizes of a square-kernel 2-D convolution <c>output = conv2d(input, weight)</c> with
/// input <c>[Batch, InChannels, InHeight, InWidth]</c>, weight
/// <c>[OutChannels, InChannels, KernelSize, KernelSize]</c> and output
/// <c>[Batch, OutChannels, OutHeight, OutWidth]</c>. A transposed convolution is described by
/// the convolution it is the adjoint of (see <see cref="ForConvTranspose2d"/>).
/// Build it with <see cref="ForConv2d"/> or <see cref="ForConvTranspose2d"/>, which validate.
/// </summary>
/// <param name="Batch">N, the number of samples.</param>
/// <param name="InChannels">Channels of the convolution's input.</param>
/// <param name="InHeight">Height of the convolution's input, in pixels.</param>
/// <param name="InWidth">Width of the convolution's input, in pixels.</param>
/// <param name="OutChannels">Channels of the convolution's output.</param>
/// <param name="OutHeight">Height of the convolution's output, in pixels.</param>
/// <param name="OutWidth">Width of the convolution's output, in pixels.</param>
/// <param name="KernelSize">Side of the square kernel.</param>
/// <param name="Stride">Step between kernel positions, in input pixels.</param>
/// <param name="Padding">Implicit zeros added on every side of the input.</param>
public readonly record struct ConvGeometry(
    int Batch, int InChannels, int InHeight, int InWidth,
    int OutChannels, int OutHeight, int OutWidth,
    int KernelSize, int Stride, int Padding)
{
    /// <summary>Shape of the convolution's input, <c>[N, InChannels, InHeight, InWidth]</c>.</summary>
    public TensorShape InputShape => new(Batch, InChannels, InHeight, InWidth);

    /// <summary>Shape of the convolution's output, <c>[N, OutChannels, OutHeight, OutWidth]</c>.</summary>
    public TensorShape OutputShape => new(Batch, OutChannels, OutHeight, OutWidth);

    /// <summary>Shape of the weight, <c>[OutChannels, InChannels, KernelSize, KernelSize]</c>.</summary>
    public TensorShape WeightShape => new(OutChannels, InChannels, KernelSize, KernelSize);

    /// <summary>Multiply-adds of one forward pass counting every tap, padding included.</summary>
    public long MultiplyAdds => (long)Batch * OutChannels * OutHeight * OutWidth * InChannels * KernelSize * KernelSize;

    /// <summary>
    /// The geometry of <c>torch.nn.Conv2d</c> on an input <c>[batch, inChannels, inHeight, inWidth]</c>:
    /// output side = floor((side + 2·padding − kernelSize) / stride) + 1.
    /// </summary>
    /// <exception cref="ArgumentException">A size is out of range (kernel &lt; 1, stride &lt; 1, padding &lt; 0,
    /// a non-positive channel count) or the padded input is smaller than the kernel; the message names the value.</exception>
    public static ConvGeometry ForConv2d(int batch, int inChannels, int inHeight, int inWidth, int outChannels, int kernelSize, int stride, int padding)
    {
        CheckHyperParameters(inChannels, outChannels, kernelSize, stride, padding, 0);
        CheckPositive(batch, nameof(batch));
        CheckPositive(inHeight, nameof(inHeight));
        CheckPositive(inWidth, nameof(inWidth));
        int outHeight = OutputSide(inHeight, kernelSize, stride, padding, nameof(inHeight));
        int outWidth = OutputSide(inWidth, kernelSize, stride, padding, nameof(inWidth));
        return new ConvGeometry(batch, inChannels, inHeight, inWidth, outChannels, outHeight, outWidth, kernelSize, stride, padding);
    }

    /// <summary>
    /// The geometry of <c>torch.nn.ConvTranspose2d(inChannels, outChannels, ...)</c> on an input
    /// <c>[batch, inChannels, inHeight, inWidth]</c>, expressed as the convolution it is the adjoint of:
    /// the convolution's input is the transposed convolution's output
    /// (side = (side − 1)·stride − 2·padding + kernelSize + outputPadding) and the convolution's
    /// output is the transposed convolution's input. PyTorch's weight layout
    /// <c>[inChannels, outChannels, k, k]</c> is then exactly the convolution's <see cref="WeightShape"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A size is out of range, or <paramref name="outputPadding"/> is not
    /// in [0, stride) (PyTorch's rule), or the output would be empty; the message names the value.</exception>
    public static ConvGeometry ForConvTranspose2d(int batch, int inChannels, int inHeight, int inWidth, int outChannels, int kernelSize, int stride, int padding, int outputPadding)
    {
        CheckHyperParameters(inChannels, outChannels, kernelSize, stride, padding, outputPadding);
        CheckPositive(batch, nameof(batch));
        CheckPositive(inHeight, nameof(inHeight));
        CheckPositive(inWidth, nameof(inWidth));
        int outHeight = ((inHeight - 1) * stride) - (2 * padding) + kernelSize + outputPadding;
        int outWidth = ((inWidth - 1) * stride) - (2 * padding) + kernelSize + outputPadding;
        if (outHeight < 1 || outWidth < 1)
        {
            throw new ArgumentException(
                $"ConvTranspose2d on a {inHeight}x{inWidth} input with kernel_size {kernelSize}, stride {stride}, padding {padding}, output_padding {outputPadding} gives a {outHeight}x{outWidth} output; it must be at least 1x1.",
                nameof(padding));
        }

        return new ConvGeometry(batch, outChannels, outHeight, outWidth, inChannels, inHeight, inWidth, kernelSize, stride, padding);
    }

    /// <summary>Validates hyper-parameters shared by both convolution kinds.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it and the expected range.</exception>
    internal static void CheckHyperParameters(int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding)
    {
        CheckPositive(inChannels, "in_channels");
        CheckPositive(outChannels, "out_channels");
        CheckPositive(kernelSize, "kernel_size");
        CheckPositive(stride, "stride");
        if (padding < 0)
        {
            throw new ArgumentException($"padding is {padding}; it must be >= 0.", nameof(padding));
        }

        if (outputPadding < 0 || outputPadding >= stride)
        {
            throw new ArgumentException($"output_padding is {outputPadding}; it must be >= 0 and smaller than stride ({stride}), as in PyTorch.", nameof(outputPadding));
        }
    }

    private static void CheckPositive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} is {value}; it must be >= 1.", name);
        }
    }

    private static int OutputSide(int side, int kernelSize, int stride, int padding, string name)
    {
        int padded = side + (2 * padding);
        if (padded < kernelSize)
        {
            throw new ArgumentException($"Input side {side} with padding {padding} is smaller than kernel_size {kernelSize}.", name);
        }

        return ((padded - kernelSize) / stride) + 1;
    }
}
