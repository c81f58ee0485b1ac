// A counter-based random draw (SplitMix64's finaliser), so a dropout mask depends only on
// (seed, index): identical on every backend and for any thread count.
namespace Dcgan.Backends;

/// <summary>Counter-based uniform numbers for dropout masks: the same (seed, index) gives the same value everywhere.</summary>
public static class DropoutHash
{
    /// <summary>A uniform float in [0, 1) from the 24 high bits of SplitMix64's finaliser applied to seed + (index + 1)·φ.</summary>
    /// <param name="seed">The mask's seed (one per forward pass).</param>
    /// <param name="index">The element's index in the tensor.</param>
    public static float Uniform(ulong seed, ulong index)
    {
        ulong z = seed + ((index + 1UL) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 40) * (1.0f / 16777216.0f);
    }
}
