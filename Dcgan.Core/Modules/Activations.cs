// Pointwise activations: ReLU, LeakyReLU, Tanh, Sigmoid (PyTorch semantics, including the gradient at 0).
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Tensors;

/// <summary>
/// The shared implementation of the pointwise activations: output has the input's shape (any rank);
/// the backward pass multiplies by the derivative.
/// </summary>
public abstract class PointwiseActivation : Module
{
    private readonly Activation _function;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;

    private protected PointwiseActivation(Activation function) => _function = function;

    /// <summary>Applies the function elementwise.</summary>
    public override Tensor Forward(Tensor input)
    {
        IBackend backend = CheckBackend(input);
        Tensor y = Reuse(ref _output, backend, input.Shape);
        backend.ActivationForward(_function, input, y);
        _input = input;
        return y;
    }

    /// <summary>Returns gradOutput times the derivative at the last input.</summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor x = RequireForward(_input);
        IBackend backend = CheckBackend(gradOutput);
        if (gradOutput.Shape != x.Shape)
        {
            throw new ArgumentException($"gradOutput has shape {gradOutput.Shape}; expected {x.Shape}.", nameof(gradOutput));
        }

        Tensor dx = Reuse(ref _gradInput, backend, x.Shape);
        backend.ActivationBackward(_function, x, _output!, gradOutput, dx);
        return dx;
    }

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        Free(ref _output);
        Free(ref _gradInput);
        _input = null;
    }
}

/// <summary><c>torch.nn.ReLU</c>: y = max(x, 0); gradient 0 at x = 0; NaN stays NaN.</summary>
public sealed class ReLU : PointwiseActivation
{
    /// <summary>Creates the layer.</summary>
    public ReLU()
        : base(new Activation(ActivationKind.ReLU))
    {
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => "ReLU()";
}

/// <summary><c>torch.nn.LeakyReLU(negative_slope=0.01)</c>: y = x &gt; 0 ? x : slope·x; gradient slope at x = 0.</summary>
public sealed class LeakyReLU : PointwiseActivation
{
    /// <summary>Creates the layer.</summary>
    /// <param name="negativeSlope">Slope for x ≤ 0 (DCGAN uses 0.2; TensorFlow's tutorial Keras' 0.3).</param>
    /// <exception cref="ArgumentException"><paramref name="negativeSlope"/> is not finite.</exception>
    public LeakyReLU(float negativeSlope = 0.01f)
        : base(new Activation(ActivationKind.LeakyReLU, negativeSlope))
    {
        if (!float.IsFinite(negativeSlope))
        {
            throw new ArgumentException($"negative_slope is {negativeSlope}; it must be finite.", nameof(negativeSlope));
        }

        NegativeSlope = negativeSlope;
    }

    /// <summary>negative_slope.</summary>
    public float NegativeSlope { get; }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => $"LeakyReLU(negative_slope={NegativeSlope.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}

/// <summary><c>torch.nn.Tanh</c>: y = tanh(x); gradient 1 − y².</summary>
public sealed class Tanh : PointwiseActivation
{
    /// <summary>Creates the layer.</summary>
    public Tanh()
        : base(new Activation(ActivationKind.Tanh))
    {
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => "Tanh()";
}

/// <summary><c>torch.nn.Sigmoid</c>: y = 1 / (1 + e^(−x)); gradient y·(1 − y).</summary>
public sealed class Sigmoid : PointwiseActivation
{
    /// <summary>Creates the layer.</summary>
    public Sigmoid()
        : base(new Activation(ActivationKind.Sigmoid))
    {
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => "Sigmoid()";
}
