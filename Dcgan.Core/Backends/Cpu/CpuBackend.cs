// The CPU backend: float32 tensors in host arrays. Convolutions and BatchNorm use the reference
// loops of HostBackend (multithreaded by output element); elementwise kernels are SIMD.
namespace Dcgan.Backends.Cpu;

using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Dcgan.Tensors;

/// <summary>
/// The CPU backend: float32 NCHW tensors in managed arrays, SIMD elementwise kernels
/// (<see cref="Vector{T}"/> and <see cref="TensorPrimitives"/>), multithreaded convolutions and BatchNorm.
/// Results are bit-identical for any thread count.
/// </summary>
public sealed class CpuBackend : HostBackend<float>
{
    /// <summary>Creates a CPU backend.</summary>
    /// <param name="threads">Worker threads; 0 (the default) uses every core.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    public CpuBackend(int threads = 0)
        : base(threads)
    {
    }

    /// <summary>Always <c>cpu</c>.</summary>
    public override string Name => "cpu";

    /// <inheritdoc/>
    public override void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        Span<float> d = GetSpan(destination);
        CheckLength(source.Length, d.Length, nameof(source));
        source.CopyTo(d);
    }

    /// <inheritdoc/>
    public override void Download(Tensor source, Span<float> destination)
    {
        Span<float> s = GetSpan(source);
        CheckLength(destination.Length, s.Length, nameof(destination));
        s.CopyTo(destination);
    }

    /// <inheritdoc/>
    public override void ActivationForward(Activation f, Tensor input, Tensor output)
    {
        Span<float> x = GetSpan(input), y = GetSpan(output);
        CheckLength(y.Length, x.Length, nameof(output));
        if (x.Length == 0)
        {
            return; // TensorPrimitives.Sigmoid rejects empty spans; an empty batch has nothing to compute
        }

        switch (f.Kind)
        {
            case ActivationKind.ReLU:
                Elementwise.ReLU(x, y);
                break;
            case ActivationKind.LeakyReLU:
                Elementwise.LeakyReLU(x, f.NegativeSlope, y);
                break;
            case ActivationKind.Tanh:
                Elementwise.Tanh(x, y);
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Sigmoid(x, y);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "Unknown activation.");
        }
    }

    /// <inheritdoc/>
    public override void ActivationBackward(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        Span<float> x = GetSpan(input), y = GetSpan(output), dy = GetSpan(gradOutput), dx = GetSpan(gradInput);
        CheckLength(y.Length, x.Length, nameof(output));
        CheckLength(dy.Length, x.Length, nameof(gradOutput));
        CheckLength(dx.Length, x.Length, nameof(gradInput));
        switch (f.Kind)
        {
            case ActivationKind.ReLU:
                Elementwise.ReLUBackward(x, dy, dx);
                break;
            case ActivationKind.LeakyReLU:
                Elementwise.LeakyReLUBackward(x, dy, f.NegativeSlope, dx);
                break;
            case ActivationKind.Tanh:
                Elementwise.TanhBackward(y, dy, dx);
                break;
            case ActivationKind.Sigmoid:
                Elementwise.SigmoidBackward(y, dy, dx);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "Unknown activation.");
        }
    }

    /// <inheritdoc/>
    public override void Multiply(Tensor a, Tensor b, Tensor result)
    {
        Span<float> x = GetSpan(a), y = GetSpan(b), r = GetSpan(result);
        CheckLength(y.Length, x.Length, nameof(b));
        CheckLength(r.Length, x.Length, nameof(result));
        TensorPrimitives.Multiply(x, y, r);
    }
}
