// A seedable, splittable random source (xoshiro256**, Blackman & Vigna 2018) whose whole state can be
// saved and restored, so a resumed run continues the same streams. Not thread-safe: one per purpose.
namespace Dcgan.Init;

/// <summary>
/// A deterministic pseudo-random generator (xoshiro256**) with normal and uniform draws.
/// Each purpose (initialisation, noise, dropout, shuffling) gets its own source, derived from the run's seed
/// with <see cref="Fork"/>; <see cref="GetState"/>/<see cref="SetState"/> save and restore it exactly.
/// Not thread-safe: never share one instance between threads.
/// </summary>
public sealed class RandomSource
{
    private ulong _s0, _s1, _s2, _s3;
    private bool _hasSpare;
    private double _spare;

    /// <summary>Creates a source from a 64-bit seed (expanded with SplitMix64, so any seed, 0 included, is fine).</summary>
    public RandomSource(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((NextUInt64() >> 33) * (ulong)maxExclusive >> 31);
    }

    /// <summary>A normal draw N(<paramref name="mean"/>, <paramref name="std"/>²) by the Box–Muller transform.</summary>
    public double Normal(double mean = 0.0, double std = 1.0)
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return mean + (std * _spare);
        }

        double u1 = 1.0 - NextDouble(); // (0, 1]: log stays finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = r * Math.Sin(2.0 * Math.PI * u2);
        _hasSpare = true;
        return mean + (std * r * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>Fills <paramref name="values"/> with N(<paramref name="mean"/>, <paramref name="std"/>²) draws.</summary>
    public void FillNormal(Span<float> values, double mean = 0.0, double std = 1.0)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)Normal(mean, std);
        }
    }

    /// <summary>Fills <paramref name="values"/> with uniform draws in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public void FillUniform(Span<float> values, double low, double high)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)Uniform(low, high);
        }
    }

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>
    /// A new independent source for one purpose, derived from this source's current state and
    /// <paramref name="purpose"/> without advancing this source.
    /// </summary>
    public RandomSource Fork(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ulong h = 14695981039346656037UL; // FNV-1a of the purpose name
        foreach (char c in purpose)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return new RandomSource(_s0 ^ ulong.RotateLeft(_s1, 13) ^ ulong.RotateLeft(_s2, 29) ^ ulong.RotateLeft(_s3, 47) ^ h);
    }

    /// <summary>The complete state: four generator words, the cached normal flag and value (as raw bits).</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3, _hasSpare ? 1UL : 0UL, (ulong)BitConverter.DoubleToInt64Bits(_spare)];

    /// <summary>Restores a state from <see cref="GetState"/>.</summary>
    /// <exception cref="ArgumentException">The state does not have 6 words or its generator words are all zero.</exception>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 6)
        {
            throw new ArgumentException($"A RandomSource state has 6 words; got {state.Length}.", nameof(state));
        }

        if ((state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new ArgumentException("A RandomSource state cannot have four zero generator words.", nameof(state));
        }

        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
        _hasSpare = state[4] != 0;
        _spare = BitConverter.Int64BitsToDouble((long)state[5]);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
