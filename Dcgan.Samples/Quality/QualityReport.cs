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
/// <param name="ClassAccuracy">For a conditional generator: per class c, the share of the samples generated for c that the
/// classifier assigns to c; null otherwise.</param>
/// <param name="OverallAccuracy">For a conditional generator: the share of all samples assigned to the class they were generated for.</param>
public sealed record QualityReport(double Distance, double Score, double[] ClassShares, double RealBaseline, int Samples, int RealImages,
    double[]? ClassAccuracy = null, double? OverallAccuracy = null)
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

    /// <summary>
    /// As <see cref="Measure(MnistClassifier, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int)"/>, with the real images'
    /// features already computed; with <paramref name="labels"/> (the class each sample was generated for) it also measures
    /// the class accuracy of a conditional generator.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 samples, or labels of another count or outside [0, 10).</exception>
    public static QualityReport Measure(MnistClassifier classifier, ReadOnlySpan<float> samples, int sampleCount, double[] realFeatures, int realCount, int[]? labels = null)
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
        var report = new QualityReport(distance, ClassifierScore(probabilities, sampleCount), Shares(probabilities, sampleCount), baseline, sampleCount, realCount);
        if (labels is null)
        {
            return report;
        }

        (double overall, double[] perClass) = Accuracy(probabilities, labels, sampleCount);
        return report with { ClassAccuracy = perClass, OverallAccuracy = overall };
    }

    /// <summary>
    /// The share of samples whose most probable class is the one they were generated for, overall and per class
    /// (NaN for a class no sample was generated for).
    /// </summary>
    /// <exception cref="ArgumentException">The label count is not <paramref name="count"/>, or a label is outside [0, 10).</exception>
    public static (double Overall, double[] PerClass) Accuracy(double[] probabilities, int[] labels, int count)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        const int classes = MnistClassifier.Classes;
        if (labels.Length != count || probabilities.Length != count * classes)
        {
            throw new ArgumentException($"{labels.Length} labels and {probabilities.Length / classes} probability rows for {count} samples.", nameof(labels));
        }

        var hits = new int[classes];
        var totals = new int[classes];
        for (int i = 0; i < count; i++)
        {
            if ((uint)labels[i] >= classes)
            {
                throw new ArgumentException($"label {i} is {labels[i]}; the classifier knows classes 0 to {classes - 1}.", nameof(labels));
            }

            ReadOnlySpan<double> p = probabilities.AsSpan(i * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++)
            {
                if (p[c] > p[best])
                {
                    best = c;
                }
            }

            totals[labels[i]]++;
            hits[labels[i]] += best == labels[i] ? 1 : 0;
        }

        double[] perClass = Enumerable.Range(0, classes).Select(c => totals[c] == 0 ? double.NaN : (double)hits[c] / totals[c]).ToArray();
        return ((double)hits.Sum() / count, perClass);
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
