// 2-D convolution (torch.nn.Conv2d, square kernel, dilation 1, groups 1). Forward and backward side by side.
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Tensors;

/// <summary>
/// <c>torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias)</c>: input
/// <c>[N, InChannels, H, W]</c>, weight <c>[OutChannels, InChannels, k, k]</c>, bias <c>[OutChannels]</c>,
/// output <c>[N, OutChannels, ⌊(H + 2p − k)/s⌋ + 1, ⌊(W + 2p − k)/s⌋ + 1]</c>.
/// Default initialisation as PyTorch: weight and bias U(−1/√(in·k²), 1/√(in·k²)).
/// </summary>
public sealed class Conv2d : Module
{
    private ConvGeometry _geometry;
    private TensorShape _inputShape;
    private TensorShape _outputShape;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;

    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output (number of filters).</param>
    /// <param name="kernelSize">Side of the square kernel, ≥ 1.</param>
    /// <param name="stride">Step between kernel positions, ≥ 1.</param>
    /// <param name="padding">Zeros added on every side, ≥ 0.</param>
    /// <param name="bias">Whether to learn an additive bias per output channel.</param>
    /// <exception cref="ArgumentException">A size is out of range; the message names it.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true)
    {
        ConvGeometry.CheckHyperParameters(inChannels, outChannels, kernelSize, stride, padding, 0);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Weight = RegisterParameter("weight", new TensorShape(outChannels, inChannels, kernelSize, kernelSize));
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

    /// <summary>The filters, <c>[OutChannels, InChannels, KernelSize, KernelSize]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, <c>[OutChannels]</c>, or null when created with <c>bias: false</c>.</summary>
    public Parameter? Bias { get; }

    /// <summary>The geometry on an input <c>[N, InChannels, H, W]</c>.</summary>
    /// <exception cref="ArgumentException">The shape does not fit.</exception>
    public ConvGeometry GeometryFor(TensorShape input)
    {
        if (input.Rank != 4 || input[1] != InChannels)
        {
            throw new ArgumentException($"Conv2d({InChannels}, {OutChannels}) expects input [N, {InChannels}, H, W]; got {input}.", nameof(input));
        }

        return ConvGeometry.ForConv2d(input[0], InChannels, input[2], input[3], OutChannels, KernelSize, Stride, Padding);
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
            _outputShape = _geometry.OutputShape;
        }

        Tensor y = Reuse(ref _output, backend, _outputShape);
        backend.ConvForward(_geometry, input, Weight.Data, y);
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
            backend.ConvBackwardWeight(_geometry, x, gradOutput, Weight.Grad);
        }

        if (Bias is { RequiresGrad: true })
        {
            backend.SumPerChannel(gradOutput, Bias.Grad);
        }

        Tensor dx = Reuse(ref _gradInput, backend, _inputShape);
        backend.ConvBackwardInput(_geometry, gradOutput, Weight.Data, dx);
        return dx;
    }

    /// <inheritdoc/>
    protected internal override void ResetParameters(RandomSource random) =>
        Initializers.PyTorchDefault(Weight, Bias, InChannels * KernelSize * KernelSize, random);

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        Free(ref _output);
        Free(ref _gradInput);
        _input = null;
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() =>
        $"Conv2d({InChannels}, {OutChannels}, kernel_size=({KernelSize}, {KernelSize}), stride=({Stride}, {Stride}), padding=({Padding}, {Padding}){(Bias is null ? ", bias=False" : string.Empty)})";
}
