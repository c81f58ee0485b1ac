// 2-D transposed convolution (torch.nn.ConvTranspose2d, square kernel, dilation 1, groups 1).
// It is the adjoint of Conv2d: forward = Conv2d's input gradient, input gradient = Conv2d's forward,
// weight gradient = Conv2d's with input and gradient exchanged. PyTorch's weight layout makes this exact.
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Tensors;

/// <summary>
/// <c>torch.nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride, padding, output_padding, bias)</c>:
/// input <c>[N, InChannels, H, W]</c>, weight <c>[InChannels, OutChannels, k, k]</c> (PyTorch's layout),
/// bias <c>[OutChannels]</c>, output <c>[N, OutChannels, (H − 1)·s − 2p + k + output_padding, …]</c>.
/// output_padding enlarges the computed output on the bottom/right (it is not zero fill) and must be
/// smaller than stride. Default initialisation as PyTorch: U(−1/√(out·k²), 1/√(out·k²)).
/// </summary>
public sealed class ConvTranspose2d : Module
{
    private ConvGeometry _geometry;
    private TensorShape _inputShape;
    private TensorShape _outputShape;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;

    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="kernelSize">Side of the square kernel, ≥ 1.</param>
    /// <param name="stride">Upsampling factor, ≥ 1.</param>
    /// <param name="padding">Rows and columns removed from every side of the full output, ≥ 0.</param>
    /// <param name="outputPadding">Extra rows and columns on the bottom and right, in [0, stride).</param>
    /// <param name="bias">Whether to learn an additive bias per output channel.</param>
    /// <exception cref="ArgumentException">A size is out of range; the message names it.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, bool bias = true)
    {
        ConvGeometry.CheckHyperParameters(inChannels, outChannels, kernelSize, stride, padding, outputPadding);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Weight = RegisterParameter("weight", new TensorShape(inChannels, outChannels, kernelSize, kernelSize));
        Bias = bias ? RegisterParameter("bias", new TensorShape(outChannels)) : null;
    }

    /// <summary>in_channels.</summary>
    public int InChannels { get; }

    /// <summary>out_channels.</summary>
    public int OutChannels { get; }

    /// <summary>kernel_size (square).</summary>
    public int KernelSize { get; }

    /// <summary>stride.</summary>
    public int Stride { get; }

    /// <summary>padding.</summary>
    public int Padding { get; }

    /// <summary>output_padding.</summary>
    public int OutputPadding { get; }

    /// <summary>The filters, <c>[InChannels, OutChannels, KernelSize, KernelSize]</c> as in PyTorch.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, <c>[OutChannels]</c>, or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>The geometry (of the adjoint convolution) on an input <c>[N, InChannels, H, W]</c>.</summary>
    /// <exception cref="ArgumentException">The shape does not fit.</exception>
    public ConvGeometry GeometryFor(TensorShape input)
    {
        if (input.Rank != 4 || input[1] != InChannels)
        {
            throw new ArgumentException($"ConvTranspose2d({InChannels}, {OutChannels}) expects input [N, {InChannels}, H, W]; got {input}.", nameof(input));
        }

        return ConvGeometry.ForConvTranspose2d(input[0], InChannels, input[2], input[3], OutChannels, KernelSize, Stride, Padding, OutputPadding);
    }

    /// <summary>Output <c>[N, OutChannels, H′, W′]</c> from input <c>[N, InChannels, H, W]</c>.</summary>
    public override Tensor Forward(Tensor input)
    {
        IBackend backend = CheckBackend(input);
        if (_input is null || input.Shape != _inputShape)
        {
            // Geometry and shapes are recomputed only when the input shape changes (a step then allocates nothing).
            _geometry = GeometryFor(input.Shape);
            _inputShape = input.Shape;
            _outputShape = _geometry.InputShape;
        }

        Tensor y = Reuse(ref _output, backend, _outputShape);
        backend.ConvBackwardInput(_geometry, input, Weight.Data, y);
        if (Bias is not null)
        {
            backend.AddChannelBias(y, Bias.Data);
        }

        _input = input;
        return y;
    }

    /// <summary>Accumulates ∂L/∂weight and ∂L/∂bias; returns ∂L/∂input <c>[N, InChannels, H, W]</c>.</summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor x = RequireForward(_input);
        IBackend backend = CheckBackend(gradOutput);
        if (Weight.RequiresGrad)
        {
            backend.ConvBackwardWeight(_geometry, gradOutput, x, Weight.Grad);
        }

        if (Bias is { RequiresGrad: true })
        {
            backend.SumPerChannel(gradOutput, Bias.Grad);
        }

        Tensor dx = Reuse(ref _gradInput, backend, _inputShape);
        backend.ConvForward(_geometry, gradOutput, Weight.Data, dx);
        return dx;
    }

    /// <inheritdoc/>
    protected internal override void ResetParameters(RandomSource random) =>
        Initializers.PyTorchDefault(Weight, Bias, OutChannels * KernelSize * KernelSize, random);

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        Free(ref _output);
        Free(ref _gradInput);
        _input = null;
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() =>
        $"ConvTranspose2d({InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride}), padding=({Padding}, {Padding}), output_padding=({OutputPadding}, {OutputPadding}){(Bias is null ? ", bias=False" : string.Empty)})";
}
