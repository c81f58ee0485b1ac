// Scalars of one Adam update; bias corrections are computed on the host in float64.
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
    float LearningRate, float Beta1, float Beta2, float Eps, float WeightDecay,
    double BiasCorrection1, double BiasCorrection2);
