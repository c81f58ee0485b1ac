// Shape-only layers: Flatten and Unflatten return views of their input, no copy.
namespace Dcgan.Modules;

using Dcgan.Tensors;

/// <summary>
/// The shared implementation of shape-only layers: the output is a view with another shape over the input's
/// elements, and the gradient a view of gradOutput with the input's shape.
/// </summary>
public abstract class ReshapeModule : Module
{
    private TensorShape _inputShape;
    private Tensor? _lastInput;
    private Tensor? _lastOutput;
    private Tensor? _lastGradOutput;
    private Tensor? _lastGradInput;
    private bool _hasForward;

    /// <summary>The output shape for an input shape.</summary>
    /// <exception cref="ArgumentException">The input shape does not fit.</exception>
    public abstract TensorShape OutputShapeFor(TensorShape input);

    /// <summary>Returns a view of <paramref name="input"/> with <see cref="OutputShapeFor"/>'s shape.</summary>
    public override Tensor Forward(Tensor input)
    {
        CheckBackend(input);
        if (!ReferenceEquals(input, _lastInput) || _lastOutput is null)
        {
            // A tensor's shape never changes, so the view is rebuilt only for a new input (no allocation per step).
            TensorShape shape = OutputShapeFor(input.Shape);
            _lastOutput = input.Reshape(shape.ToArray());
            _lastInput = input;
        }

        _inputShape = input.Shape;
        _hasForward = true;
        return _lastOutput;
    }

    /// <summary>Returns a view of <paramref name="gradOutput"/> with the last input's shape.</summary>
    public override Tensor Backward(Tensor gradOutput)
    {
        CheckBackend(gradOutput);
        if (!_hasForward)
        {
            throw new InvalidOperationException($"{GetType().Name}.Backward was called before Forward.");
        }

        if (!ReferenceEquals(gradOutput, _lastGradOutput) || _lastGradInput!.Shape != _inputShape)
        {
            _lastGradOutput = gradOutput;
            _lastGradInput = gradOutput.Reshape(_inputShape.ToArray());
        }

        return _lastGradInput;
    }

    /// <inheritdoc/>
    protected override void ReleaseWorkspace()
    {
        _lastInput = _lastOutput = _lastGradOutput = _lastGradInput = null;
        _hasForward = false;
    }
}

/// <summary><c>torch.nn.Flatten()</c> (start_dim 1): <c>[N, d1, d2, ...]</c> → <c>[N, d1·d2·...]</c>.</summary>
public sealed class Flatten : ReshapeModule
{
    /// <inheritdoc/>
    public override TensorShape OutputShapeFor(TensorShape input)
    {
        if (input.Rank < 1)
        {
            throw new ArgumentException($"Flatten expects an input with a batch dimension; got {input}.", nameof(input));
        }

        return new TensorShape(input[0], input[0] == 0 ? 0 : input.ElementCount / input[0]);
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => "Flatten(start_dim=1, end_dim=-1)";
}

/// <summary><c>torch.nn.Unflatten(1, unflattened_size)</c>: <c>[N, C·H·W]</c> → <c>[N, C, H, W]</c>.</summary>
public sealed class Unflatten : ReshapeModule
{
    private readonly int[] _size;

    /// <summary>Creates the layer.</summary>
    /// <param name="unflattenedSize">The sizes that replace dimension 1, e.g. (256, 7, 7).</param>
    /// <exception cref="ArgumentException">A size is &lt; 1 or none is given.</exception>
    public Unflatten(params int[] unflattenedSize)
    {
        ArgumentNullException.ThrowIfNull(unflattenedSize);
        if (unflattenedSize.Length == 0 || unflattenedSize.Any(s => s < 1))
        {
            throw new ArgumentException($"unflattened_size ({string.Join(", ", unflattenedSize)}) must hold sizes >= 1.", nameof(unflattenedSize));
        }

        _size = (int[])unflattenedSize.Clone();
    }

    /// <summary>unflattened_size.</summary>
    public IReadOnlyList<int> UnflattenedSize => _size;

    /// <inheritdoc/>
    public override TensorShape OutputShapeFor(TensorShape input)
    {
        int product = _size.Aggregate(1, (a, b) => a * b);
        if (input.Rank != 2 || input[1] != product)
        {
            throw new ArgumentException($"Unflatten(1, ({string.Join(", ", _size)})) expects input [N, {product}]; got {input}.", nameof(input));
        }

        return new TensorShape([input[0], .. _size]);
    }

    /// <summary>Formats as PyTorch prints the layer.</summary>
    public override string ToString() => $"Unflatten(dim=1, unflattened_size=({string.Join(", ", _size)}))";
}
