// Binary cross-entropy on logits, mean reduction (torch.nn.BCEWithLogitsLoss), computed in the stable form
// max(x, 0) − x·y + log(1 + e^(−|x|)) so logits of ±1000 stay finite.
namespace Dcgan.Losses;

using Dcgan.Tensors;

/// <summary>
/// <c>torch.nn.BCEWithLogitsLoss(reduction='mean')</c>: for logits x and targets y of the same shape,
/// loss = mean(max(x, 0) − x·y + log(1 + e^(−|x|))), a tensor of shape <c>[]</c>; ∂loss/∂x = (σ(x) − y)/n.
/// The gradient is computed with the loss; <see cref="Backward"/> returns it.
/// </summary>
public sealed class BCEWithLogitsLoss : IDisposable
{
    private Tensor? _loss;
    private Tensor? _grad;
    private Tensor? _target;
    private float _targetValue = float.NaN;

    /// <summary>The mean loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    /// <param name="input">Logits, any shape.</param>
    /// <param name="target">Targets in [0, 1], the logits' shape, on the same backend.</param>
    /// <returns>A tensor of shape <c>[]</c> owned by this object; read it with <see cref="Tensor.Item"/>.</returns>
    /// <exception cref="ArgumentException">The shapes differ or the input is empty.</exception>
    public Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Shape != target.Shape)
        {
            throw new ArgumentException($"target has shape {target.Shape}; expected the input's shape {input.Shape}.", nameof(target));
        }

        var backend = input.Backend;
        Workspace.Reuse(ref _loss, backend, new TensorShape());
        Workspace.Reuse(ref _grad, backend, input.Shape);
        backend.BCEWithLogits(input, target, _loss, _grad);
        return _loss;
    }

    /// <summary>The mean loss against a constant target (1 for "real", 0 for "fake").</summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is outside [0, 1].</exception>
    public Tensor Forward(Tensor input, float target)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(target >= 0f && target <= 1f))
        {
            throw new ArgumentException($"target is {target}; it must be in [0, 1].", nameof(target));
        }

        if (_target is null || _target.Shape != input.Shape || !ReferenceEquals(_target.Backend, input.Backend) || _targetValue != target)
        {
            input.Backend.Fill(Workspace.Reuse(ref _target, input.Backend, input.Shape), target);
            _targetValue = target;
        }

        return Forward(input, _target);
    }

    /// <summary>∂loss/∂input of the last <see cref="Forward(Tensor, Tensor)"/>, the input's shape; owned by this object.</summary>
    /// <exception cref="InvalidOperationException">No forward pass precedes this call.</exception>
    public Tensor Backward() => _grad ?? throw new InvalidOperationException("BCEWithLogitsLoss.Backward was called before Forward.");

    /// <summary>Frees the loss, gradient and target tensors.</summary>
    public void Dispose()
    {
        _loss?.Dispose();
        _grad?.Dispose();
        _target?.Dispose();
        _loss = _grad = _target = null;
    }
}
