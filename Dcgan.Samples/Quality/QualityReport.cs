// The numbers `dcgan eval` prints for a set of generated images, all from MnistClassifier: the classifier-feature Fréchet
// distance to the real images, a classifier score (Salimans et al. 2016's Inception Score with our classifier), each
// class's share among the samples (mode collapse shows as one share near 1), and the real-vs-real distance for scale.
namespace Dcgan.Samples.Quality;

/// <summary>The quality numbers of one set of samples.</summary>
/// <param name="Distance">Fréchet distance between the classifier features of the samples and of the real images.</param>
/// <param name="Score">exp(mean KL(p(y|x) ‖ p(y))), in [1, 10].</param>
/// <param name="ClassShares">The fraction of samples whose most probable class is c, for c = 0..9.</param>
/// <param name="RealBaseline">The same distance between two halves of the real images (alternate blocks of ten).</param>
/// <param name="Samples">Number of samples.</param>
/// <param name="RealImages">Number of real images.</param>
public sealed record QualityReport(double Distance, double Score, double[] ClassShares, double RealBaseline, int Samples, int RealImages)
{
    /// <summary>The smallest class share and its class.</summary>
    public (int Class, double Share) Lowest => Enumerable.Range(0, ClassShares.Length).Select(c => (c, ClassShares[c])).MinBy(p => p.Item2);

    /// <summary>The largest class share and its class.</summary>
    public (int Class, double Share) Highest => Enumerable.Range(0, ClassShares.Length).Select(c => (c, ClassShares[c])).MaxBy(p => p.Item2);

    /// <summary>Measures <paramref name="sampleCount"/> samples against <paramref name="realCount"/> real images (both 28×28, in [−1, 1]).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 samples or 40 real images.</exception>
    public static QualityReport Measure(MnistClassifier classifier, ReadOnlySpan<float> samples, int sampleCount, ReadOnlySpan<float> real, int realCount)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (realCount < 40)
        {
            throw new ArgumentException($"{realCount} real images; the real-vs-real baseline needs at least 40.", nameof(realCount));
        }

        (double[] realFeatures, _) = classifier.Run(real, realCount);
        return Measure(classifier, samples, sampleCount, realFeatures, realCount);
    }

    /// <summary>As <see cref="Measure(MnistClassifier, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int)"/>, with the real images' features already computed.</summary>
    public static QualityReport Measure(MnistClassifier classifier, ReadOnlySpan<float> samples, int sampleCount, double[] realFeatures, int realCount)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(realFeatures);
        if (sampleCount < 2)
        {
            throw new ArgumentException($"{sampleCount} samples; the covariance needs at least 2.", nameof(sampleCount));
        }

        const int d = MnistClassifier.FeatureCount;
        (double[] features, double[] probabilities) = classifier.Run(samples, sampleCount);
        double distance = FrechetDistance.Compute(features, sampleCount, realFeatures, realCount, d);
        double baseline = HalvesDistance(realFeatures, realCount);
        return new QualityReport(distance, ClassifierScore(probabilities, sampleCount), Shares(probabilities, sampleCount), baseline, sampleCount, realCount);
    }

    /// <summary>
    /// The Fréchet distance between two halves of the real features: alternate blocks of ten (⌊i / 10⌋ even or odd), since
    /// the embedded sample is interleaved by class and even/odd indices would split it into digits 0, 2, 4, 6, 8 and 1, 3, 5, 7, 9.
    /// </summary>
    public static double HalvesDistance(double[] realFeatures, int realCount)
    {
        ArgumentNullException.ThrowIfNull(realFeatures);
        const int d = MnistClassifier.FeatureCount;
        var a = new List<double>(realFeatures.Length / 2);
        var b = new List<double>(realFeatures.Length / 2);
        for (int i = 0; i < realCount; i++)
        {
            (i / 10 % 2 == 0 ? a : b).AddRange(realFeatures.AsSpan(i * d, d));
        }

        return FrechetDistance.Compute(a.ToArray(), a.Count / d, b.ToArray(), b.Count / d, d);
    }

    /// <summary>exp(mean over samples of KL(p(y|x) ‖ p(y))) with p(y) the mean of p(y|x); 1 for identical predictions, at most the class count.</summary>
    public static double ClassifierScore(ReadOnlySpan<double> probabilities, int count)
    {
        const int k = MnistClassifier.Classes;
        var marginal = new double[k];
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < k; c++)
            {
                marginal[c] += probabilities[(i * k) + c] / count;
            }
        }

        double kl = 0;
        for (int i = 0; i < count; i++)
        {
            for (int c = 0; c < k; c++)
            {
                double p = probabilities[(i * k) + c];
                kl += p > 0 ? p * (Math.Log(p) - Math.Log(marginal[c])) : 0;
            }
        }

        return Math.Exp(kl / count);
    }

    /// <summary>The fraction of samples predicted as each class (argmax of p(y|x)).</summary>
    public static double[] Shares(ReadOnlySpan<double> probabilities, int count)
    {
        const int k = MnistClassifier.Classes;
        var shares = new double[k];
        for (int i = 0; i < count; i++)
        {
            shares[MnistClassifier.ArgMax(probabilities.Slice(i * k, k))] += 1.0 / count;
        }

        return shares;
    }
}
