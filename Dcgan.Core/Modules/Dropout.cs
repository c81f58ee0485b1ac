// Inverted dropout (Srivastava et al. 2014, torch.nn.Dropout): zero with probability p, scale the rest by 1/(1 − p).
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Tensors;

/// <summary>
/// <c>torch.nn.Dropout(p=0.5)</c> on a tensor of any shape. In training mode each element is zeroed with
/// probability <see cref="P"/> and the others scaled by 1/(1 − p); in eval mode it is the identity.
/// Masks are a counter-based hash of (seed, forward call, element), so runs are reproducible on every
/// backend; <see cref="Calls"/> is the state to save for an exact resume.
/// </summary>
public sealed class Dropout : Module
{
    private Tensor? _mask;
    private Tensor? _output;
    private Tensor? _gradInput;
    private bool _dropped;
    private bool _hasForward;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Probability of zeroing an element, in [0, 1).</param>
    /// <param name="seed">Seed of the mask stream.</param>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1).</exception>
    public Dropout(float p = 0.5f, ulong seed = 0)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentException($"Dropout probability p is {p}; it must be in [0, 1).", nameof(p));
        }

        P = p;
        Seed = seed;
    }

    /// <summary>p, the probability of zeroing an element.</summary>
    public float P { get; }

    /// <summary>The seed of the mask stream.</summary>
    public ulong Seed { get; set; }

    /// <summary>Training-mode forward passes so far; each uses a fresh mask derived from (Seed, Calls).</summary>
    public long Calls { get; set; }

    /// <summary>Drops elements in training mode; returns the input unchanged in eval mode.</summary>
    public override Tensor Forward(Tensor input)
    {
        IBackend backend = CheckBackend(input);
        _dropped = IsTraining && P > 0f;
        _hasForward = true;
        if (!_dropped)
        {
            return input;
        }

        Tensor mask = Reuse(ref _mask, backend, input.Shape);
        Tensor y = Reuse(ref _output, backend, input.Shape);
        ulong callSeed = Seed ^ ((ulong)Calls * 0xD1B54A32D192ED03UL);
        Calls++;
        backend.DropoutForward(input, P, callSeed, mask, y);
        return y;
    }

    /// <summary>Multiplies gradOutput by the last mask (identity when nothing was dropped).</summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        IBackend backend = CheckBackend(gradOutput);
        if (!_hasForward)
        {
            // Without a forward pass there is no mask; passing the gradient through would silently be wrong.
            throw new InvalidOperationException($"{nameof(Dropout)}.Backward was called before Forward.");
        }

        if (!_dropped)
        {
            return gradOutput;
        }

        Tensor dx = Reuse(ref _gradInput, backend, gradOutput.Shape);
        backend.Multiply(gradOutput, _mask!, dx);
        return dx;
    }

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        Free(ref _mask);
        Free(ref _output);
        Free(ref _gradInput);
        _hasForward = false;
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => $"Dropout(p={P.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
}
