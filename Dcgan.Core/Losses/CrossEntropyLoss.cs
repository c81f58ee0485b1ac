// Multi-class cross-entropy on logits with class-index targets, mean reduction (torch.nn.CrossEntropyLoss), computed
// with the row maximum subtracted before exp so logits of ±1000 stay finite.
namespace Dcgan.Losses;

using Dcgan.Tensors;

/// <summary>
/// <c>torch.nn.CrossEntropyLoss(reduction='mean')</c> with class-index targets: for logits x of shape <c>[N, C]</c> and
/// targets t in [0, C), loss = (1/N) Σₙ (log Σ_c e^(x[n, c]) − x[n, t[n]]), a tensor of shape <c>[]</c>;
/// ∂loss/∂x[n, c] = (softmax(x[n])[c] − [c = t[n]]) / N. The log-sum-exp subtracts each row's maximum first.
/// The gradient is computed with the loss; <see cref="Backward"/> returns it. No class weights, label smoothing or ignore_index.
/// </summary>
public sealed class CrossEntropyLoss : IDisposable
{
    private Tensor? _loss;
    private Tensor? _grad;
    private Tensor? _target;
    private float[] _targetValues = [];

    /// <summary>The mean loss of <paramref name="input"/> against class indices already on the input's backend.</summary>
    /// <param name="input">Logits <c>[N, C]</c>, N, C ≥ 1.</param>
    /// <param name="target">N class indices stored as whole floats in [0, C), any shape with N elements, on the input's
    /// backend. An index outside that range makes the loss NaN (it is not checked here, since reading a device tensor
    /// would wait for the device; use <see cref="Forward(Tensor, ReadOnlySpan{int})"/> for checked indices).</param>
    /// <returns>A tensor of shape <c>[]</c> owned by this object; read it with <see cref="Tensor.Item"/>.</returns>
    /// <exception cref="ArgumentException">The input is not <c>[N, C]</c> with N, C ≥ 1, or the target does not have N elements.</exception>
    public Tensor Forward(Tensor input, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        CheckInput(input);
        if (target.Length != input.Shape[0])
        {
            throw new ArgumentException($"target has shape {target.Shape}; expected {input.Shape[0]} class indices, one per row of the input {input.Shape}.", nameof(target));
        }

        var backend = input.Backend;
        Workspace.Reuse(ref _loss, backend, new TensorShape());
        Workspace.Reuse(ref _grad, backend, input.Shape);
        backend.CrossEntropy(input, target, _loss, _grad);
        return _loss;
    }

    /// <summary>The mean loss of <paramref name="input"/> against class indices held on the host.</summary>
    /// <param name="input">Logits <c>[N, C]</c>, N, C ≥ 1.</param>
    /// <param name="target">N class indices in [0, C); they are copied to the input's backend.</param>
    /// <returns>A tensor of shape <c>[]</c> owned by this object; read it with <see cref="Tensor.Item"/>.</returns>
    /// <exception cref="ArgumentException">The input is not <c>[N, C]</c> with N, C ≥ 1, the target does not have N
    /// elements, or an index is outside [0, C) (the message names the first one and its position).</exception>
    public Tensor Forward(Tensor input, ReadOnlySpan<int> target)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        int rows = input.Shape[0], classes = input.Shape[1];
        if (target.Length != rows)
        {
            throw new ArgumentException($"target has {target.Length} class indices; expected {rows}, one per row of the input {input.Shape}.", nameof(target));
        }

        if (_targetValues.Length != rows)
        {
            _targetValues = new float[rows];
        }

        for (int n = 0; n < rows; n++)
        {
            if ((uint)target[n] >= (uint)classes)
            {
                throw new ArgumentException($"target[{n}] is {target[n]}; a class index must be in [0, {classes}).", nameof(target));
            }

            _targetValues[n] = target[n];
        }

        Workspace.Reuse(ref _target, input.Backend, new TensorShape(rows)).CopyFrom(_targetValues);
        return Forward(input, _target);
    }

    /// <summary>∂loss/∂input of the last forward call, the input's shape <c>[N, C]</c>; owned by this object.</summary>
    /// <exception cref="InvalidOperationException">No forward pass precedes this call.</exception>
    public Tensor Backward() => _grad ?? throw new InvalidOperationException("CrossEntropyLoss.Backward was called before Forward.");

    /// <summary>Frees the loss, gradient and target tensors.</summary>
    public void Dispose()
    {
        _loss?.Dispose();
        _grad?.Dispose();
        _target?.Dispose();
        _loss = _grad = _target = null;
    }

    private static void CheckInput(Tensor input)
    {
        TensorShape s = input.Shape;
        if (s.Rank != 2 || s[0] < 1 || s[1] < 1)
        {
            throw new ArgumentException($"input has shape {s}; expected logits [N, C] with N >= 1 and C >= 1.", nameof(input));
        }
    }
}
