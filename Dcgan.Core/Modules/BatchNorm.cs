// Batch normalisation (Ioffe & Szegedy 2015) with PyTorch's semantics: biased variance to normalise,
// unbiased variance for running_var, momentum as new = (1 − m)·old + m·batch, eps inside the square root.
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Tensors;

/// <summary>
/// The shared implementation of <see cref="BatchNorm1d"/> and <see cref="BatchNorm2d"/>: per-channel
/// normalisation with learnable <see cref="Weight"/> (gamma, initialised to 1) and <see cref="Bias"/>
/// (beta, initialised to 0), and buffers <c>running_mean</c> (0) and <c>running_var</c> (1).
/// In training mode it normalises with the batch statistics (biased variance) and updates the running ones
/// (unbiased variance); in eval mode it normalises with the running statistics and leaves them unchanged.
/// </summary>
public abstract class BatchNorm : Module
{
    private readonly TensorShape _channels;
    private BatchNormGeometry _geometry;
    private bool _trainedForward;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;
    private Tensor? _saveMean;
    private Tensor? _saveInvStd;

    /// <summary>Creates the layer.</summary>
    /// <param name="numFeatures">C, the number of channels.</param>
    /// <param name="eps">Added to the variance inside the square root.</param>
    /// <param name="momentum">Weight of the batch statistic in the running average; null for a cumulative average (PyTorch's <c>momentum=None</c>).</param>
    /// <exception cref="ArgumentException">numFeatures &lt; 1, eps ≤ 0 or momentum outside [0, 1].</exception>
    private protected BatchNorm(int numFeatures, float eps, float? momentum)
    {
        if (numFeatures < 1)
        {
            throw new ArgumentException($"num_features is {numFeatures}; it must be >= 1.", nameof(numFeatures));
        }

        if (!(eps > 0f))
        {
            throw new ArgumentException($"eps is {eps}; it must be > 0.", nameof(eps));
        }

        if (momentum is { } m && !(m >= 0f && m <= 1f))
        {
            throw new ArgumentException($"momentum is {m}; it must be in [0, 1] or null.", nameof(momentum));
        }

        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        var channels = new TensorShape(numFeatures);
        _channels = channels;
        Weight = RegisterParameter("weight", channels);
        Bias = RegisterParameter("bias", channels);
        RegisterBuffer("running_mean", channels, 0f);
        RegisterBuffer("running_var", channels, 1f);
    }

    /// <summary>num_features, C.</summary>
    public int NumFeatures { get; }

    /// <summary>eps.</summary>
    public float Eps { get; }

    /// <summary>momentum (null: cumulative moving average).</summary>
    public float? Momentum { get; }

    /// <summary>gamma, <c>[C]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>beta, <c>[C]</c>.</summary>
    public Parameter Bias { get; }

    /// <summary>running_mean, <c>[C]</c>.</summary>
    public Tensor RunningMean => GetBuffer("running_mean");

    /// <summary>running_var, <c>[C]</c> (unbiased).</summary>
    public Tensor RunningVar => GetBuffer("running_var");

    /// <summary>num_batches_tracked: training-mode forward passes so far.</summary>
    public long NumBatchesTracked { get; set; }

    /// <summary>Normalises <paramref name="input"/>; the output has the input's shape.</summary>
    /// <exception cref="ArgumentException">Wrong rank or channel count, or one value per channel in training mode.</exception>
    public override Tensor Forward(Tensor input)
    {
        IBackend backend = CheckBackend(input);
        CheckInputShape(input.Shape);
        _geometry = BatchNormGeometry.FromShape(input.Shape);
        if (IsTraining && _geometry.ValuesPerChannel < 2)
        {
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input size {input.Shape}.", nameof(input));
        }

        float factor = 0f;
        if (IsTraining)
        {
            NumBatchesTracked++;
            factor = Momentum ?? (1f / NumBatchesTracked);
        }

        Tensor y = Reuse(ref _output, backend, input.Shape);
        Tensor mean = Reuse(ref _saveMean, backend, _channels);
        Tensor invStd = Reuse(ref _saveInvStd, backend, _channels);
        backend.BatchNormForward(_geometry, input, Weight.Data, Bias.Data, RunningMean, RunningVar, IsTraining, factor, Eps, y, mean, invStd);
        _trainedForward = IsTraining;
        _input = input;
        return y;
    }

    /// <summary>Accumulates ∂L/∂gamma and ∂L/∂beta; returns ∂L/∂input (shape of the input).</summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor x = RequireForward(_input);
        IBackend backend = CheckBackend(gradOutput);
        Tensor dx = Reuse(ref _gradInput, backend, x.Shape);
        backend.BatchNormBackward(_geometry, _trainedForward, gradOutput, x, Weight.Data, _saveMean!, _saveInvStd!, dx,
            Weight.RequiresGrad ? Weight.Grad : null, Bias.RequiresGrad ? Bias.Grad : null);
        return dx;
    }

    /// <summary>Throws unless the input has this layer's rank and <see cref="NumFeatures"/> channels.</summary>
    /// <exception cref="ArgumentException">The shape does not fit.</exception>
    private protected abstract void CheckInputShape(TensorShape shape);

    /// <inheritdoc/>
    protected internal override void ResetParameters(RandomSource random)
    {
        Initializers.Constant(Weight, 1f);
        Initializers.Constant(Bias, 0f);
        NumBatchesTracked = 0;
    }

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        Free(ref _output);
        Free(ref _gradInput);
        Free(ref _saveMean);
        Free(ref _saveInvStd);
        _input = null;
    }
}

/// <summary>
/// <c>torch.nn.BatchNorm2d(num_features, eps=1e-5, momentum=0.1)</c> on <c>[N, C, H, W]</c>: statistics per
/// channel over N·H·W values.
/// </summary>
public sealed class BatchNorm2d : BatchNorm
{
    /// <inheritdoc cref="BatchNorm(int, float, float?)"/>
    public BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f)
        : base(numFeatures, eps, momentum)
    {
    }

    private protected override void CheckInputShape(TensorShape shape)
    {
        if (shape.Rank != 4 || shape[1] != NumFeatures)
        {
            throw new ArgumentException($"BatchNorm2d({NumFeatures}) expects input [N, {NumFeatures}, H, W]; got {shape}.", "input");
        }
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => $"BatchNorm2d({NumFeatures}, eps={Eps}, momentum={Momentum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"})";
}

/// <summary>
/// <c>torch.nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1)</c> on <c>[N, C]</c> or <c>[N, C, L]</c>:
/// statistics per channel over N (or N·L) values.
/// </summary>
public sealed class BatchNorm1d : BatchNorm
{
    /// <inheritdoc cref="BatchNorm(int, float, float?)"/>
    public BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f)
        : base(numFeatures, eps, momentum)
    {
    }

    private protected override void CheckInputShape(TensorShape shape)
    {
        if (shape.Rank is < 2 or > 3 || shape[1] != NumFeatures)
        {
            throw new ArgumentException($"BatchNorm1d({NumFeatures}) expects input [N, {NumFeatures}] or [N, {NumFeatures}, L]; got {shape}.", "input");
        }
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => $"BatchNorm1d({NumFeatures}, eps={Eps}, momentum={Momentum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None"})";
}
