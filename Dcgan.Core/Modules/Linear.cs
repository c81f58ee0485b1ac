// Fully connected layer (torch.nn.Linear): y = x·Wᵀ + b, run as a 1×1 convolution on [N, in, 1, 1]
// so it shares the convolution kernels of every backend.
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Tensors;

/// <summary>
/// <c>torch.nn.Linear(in_features, out_features, bias)</c>: input <c>[N, InFeatures]</c>, weight
/// <c>[OutFeatures, InFeatures]</c>, bias <c>[OutFeatures]</c>, output <c>[N, OutFeatures]</c> = x·Wᵀ + b.
/// Default initialisation as PyTorch: U(−1/√in, 1/√in).
/// </summary>
public sealed class Linear : Module
{
    // Views of recent gradOutputs as [N, out, 1, 1]: a GAN step back-propagates several losses through one layer.
    private readonly (Tensor Source, Tensor View)?[] _gradOutputViews = new (Tensor, Tensor)?[4];
    private ConvGeometry _geometry;
    private TensorShape _outputShape4;
    private TensorShape _inputShape4;
    private int _nextView;
    private Tensor? _input4;
    private Tensor? _output;
    private Tensor? _output2;
    private Tensor? _gradInput;
    private Tensor? _gradInput2;
    private Tensor? _weight4;
    private Tensor? _weightGrad4;
    private Tensor? _lastInput;
    private Tensor? _lastGradOutput;
    private Tensor? _gradOutput4;

    /// <summary>Creates the layer.</summary>
    /// <param name="inFeatures">Size of each input sample.</param>
    /// <param name="outFeatures">Size of each output sample.</param>
    /// <param name="bias">Whether to learn an additive bias.</param>
    /// <exception cref="ArgumentException">A size is &lt; 1.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures < 1)
        {
            throw new ArgumentException($"in_features is {inFeatures}; it must be >= 1.", nameof(inFeatures));
        }

        if (outFeatures < 1)
        {
            throw new ArgumentException($"out_features is {outFeatures}; it must be >= 1.", nameof(outFeatures));
        }

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", new TensorShape(outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", new TensorShape(outFeatures)) : null;
    }

    /// <summary>in_features.</summary>
    public int InFeatures { get; }

    /// <summary>out_features.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight, <c>[OutFeatures, InFeatures]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, <c>[OutFeatures]</c>, or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>Output <c>[N, OutFeatures]</c> from input <c>[N, InFeatures]</c>.</summary>
    /// <exception cref="ArgumentException">The input is not <c>[N, InFeatures]</c>.</exception>
    public override Tensor Forward(Tensor input)
    {
        IBackend backend = CheckBackend(input);
        if (input.Shape.Rank != 2 || input.Shape[1] != InFeatures)
        {
            throw new ArgumentException($"Linear({InFeatures}, {OutFeatures}) expects input [N, {InFeatures}]; got {input.Shape}.", nameof(input));
        }

        int n = input.Shape[0];
        if (!ReferenceEquals(input, _lastInput) || _input4 is null)
        {
            _geometry = ConvGeometry.ForConv2d(n, InFeatures, 1, 1, OutFeatures, 1, 1, 0);
            _outputShape4 = _geometry.OutputShape;
            _inputShape4 = _geometry.InputShape;
            _input4 = input.Reshape(n, InFeatures, 1, 1);
            _lastInput = input;
        }

        _weight4 ??= Weight.Data.Reshape(OutFeatures, InFeatures, 1, 1);
        Tensor y4 = Reuse(ref _output, backend, _outputShape4);
        if (_output2 is null || _output2.Storage != y4.Storage || _output2.Shape[0] != n)
        {
            _output2 = y4.Reshape(n, OutFeatures);
        }

        backend.ConvForward(_geometry, _input4, _weight4, y4);
        if (Bias is not null)
        {
            backend.AddChannelBias(_output2, Bias.Data);
        }

        return _output2;
    }

    /// <summary>Accumulates ∂L/∂weight and ∂L/∂bias; returns ∂L/∂input <c>[N, InFeatures]</c>.</summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor x4 = RequireForward(_input4);
        IBackend backend = CheckBackend(gradOutput);
        int n = _geometry.Batch;
        if (gradOutput.Shape.Rank != 2 || gradOutput.Shape[0] != n || gradOutput.Shape[1] != OutFeatures)
        {
            throw new ArgumentException($"gradOutput has shape {gradOutput.Shape}; expected [{n}, {OutFeatures}].", nameof(gradOutput));
        }

        if (!ReferenceEquals(gradOutput, _lastGradOutput) || _gradOutput4 is null || _gradOutput4.Shape[0] != n)
        {
            _gradOutput4 = GradOutputView(gradOutput, n);
            _lastGradOutput = gradOutput;
        }

        if (Weight.RequiresGrad)
        {
            _weightGrad4 ??= Weight.Grad.Reshape(OutFeatures, InFeatures, 1, 1);
            backend.ConvBackwardWeight(_geometry, x4, _gradOutput4, _weightGrad4);
        }

        if (Bias is { RequiresGrad: true })
        {
            backend.SumPerChannel(gradOutput, Bias.Grad);
        }

        Tensor dx4 = Reuse(ref _gradInput, backend, _inputShape4);
        if (_gradInput2 is null || _gradInput2.Storage != dx4.Storage || _gradInput2.Shape[0] != n)
        {
            _gradInput2 = dx4.Reshape(n, InFeatures);
        }

        backend.ConvBackwardInput(_geometry, _gradOutput4, _weight4!, dx4);
        return _gradInput2;
    }

    /// <inheritdoc/>
    protected internal override void ResetParameters(RandomSource random) =>
        Initializers.PyTorchDefault(Weight, Bias, InFeatures, random);

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        Free(ref _output);
        Free(ref _gradInput);
        _output2 = _gradInput2 = _weight4 = _weightGrad4 = _input4 = _lastInput = _lastGradOutput = _gradOutput4 = null;
        Array.Clear(_gradOutputViews);
    }

    private Tensor GradOutputView(Tensor gradOutput, int n)
    {
        foreach ((Tensor Source, Tensor View)? entry in _gradOutputViews)
        {
            if (entry is { } e && ReferenceEquals(e.Source, gradOutput) && e.View.Shape[0] == n)
            {
                return e.View;
            }
        }

        Tensor view = gradOutput.Reshape(n, OutFeatures, 1, 1);
        _gradOutputViews[_nextView] = (gradOutput, view);
        _nextView = (_nextView + 1) % _gradOutputViews.Length;
        return view;
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => $"Linear(in_features={InFeatures}, out_features={OutFeatures}, bias={(Bias is null ? "False" : "True")})";
}
