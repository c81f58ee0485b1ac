// The pointwise nonlinearities of DCGANs, as PyTorch defines them.
namespace Dcgan.Backends;

/// <summary>Which pointwise function an activation kernel computes.</summary>
public enum ActivationKind
{
    /// <summary><c>y = x &lt; 0 ? 0 : x</c> (NaN stays NaN); gradient 1 where x &gt; 0, else 0 (0 at x = 0, as PyTorch).</summary>
    ReLU,

    /// <summary><c>y = x &gt; 0 ? x : slope·x</c>; gradient 1 where x &gt; 0, else slope (slope at x = 0, as PyTorch).</summary>
    LeakyReLU,

    /// <summary><c>y = tanh(x)</c>; gradient 1 − y².</summary>
    Tanh,

    /// <summary><c>y = 1 / (1 + exp(−x))</c>; gradient y·(1 − y).</summary>
    Sigmoid,
}

/// <summary>An activation function and its parameter.</summary>
/// <param name="Kind">The function.</param>
/// <param name="NegativeSlope">Slope for negative inputs; used by <see cref="ActivationKind.LeakyReLU"/> only.</param>
public readonly record struct Activation(ActivationKind Kind, float NegativeSlope = 0f);
