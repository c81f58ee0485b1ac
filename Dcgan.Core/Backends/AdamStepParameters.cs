// Scalars of one Adam update, in float64 as PyTorch's Python floats; kernels round each derived scalar once.
namespace Dcgan.Backends;

/// <summary>
/// The scalars of one Adam step (Kingma &amp; Ba 2015, as <c>torch.optim.Adam</c>): with
/// g = grad + WeightDecay·param, m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
/// param −= LearningRate / BiasCorrection1 · m / (sqrt(v) / sqrt(BiasCorrection2) + Eps).
/// </summary>
/// <param name="LearningRate">lr.</param>
/// <param name="Beta1">β1, decay of the first moment.</param>
/// <param name="Beta2">β2, decay of the second moment.</param>
/// <param name="Eps">Added after the square root of the corrected second moment.</param>
/// <param name="WeightDecay">L2 penalty added to the gradient (not decoupled, as PyTorch's Adam).</param>
/// <param name="BiasCorrection1">1 − β1^t for step t (1-based).</param>
/// <param name="BiasCorrection2">1 − β2^t for step t (1-based).</param>
public readonly record struct AdamStepParameters(
    double LearningRate, double Beta1, double Beta2, double Eps, double WeightDecay,
    double BiasCorrection1, double BiasCorrection2)
{
    /// <summary>1 − β1, computed in float64 as PyTorch does (so 0.999 gives exactly 0.001 in float32, not 0.99900001's complement).</summary>
    public double OneMinusBeta1 => 1.0 - Beta1;

    /// <summary>1 − β2, computed in float64.</summary>
    public double OneMinusBeta2 => 1.0 - Beta2;
}
