// The Fréchet (2-Wasserstein) distance between two Gaussians fitted to feature sets (Dowson & Landau 1982; used as FID by
// Heusel et al. 2017 on Inception-v3 features). Here the features are MnistClassifier's, so the numbers are not
// comparable with published Inception FIDs. Everything is float64.
namespace Dcgan.Samples.Quality;

/// <summary>The mean and covariance of a set of feature vectors.</summary>
/// <param name="Mean">μ, length d.</param>
/// <param name="Covariance">Σ, d×d row-major, the unbiased sample covariance (÷(n − 1), as numpy.cov).</param>
/// <param name="Dimension">d.</param>
public sealed record FeatureStatistics(double[] Mean, double[] Covariance, int Dimension)
{
    /// <summary>μ and Σ of <paramref name="count"/> vectors of length <paramref name="dimension"/> (row-major).</summary>
    /// <exception cref="ArgumentException">Fewer than 2 vectors, or the length is not count × dimension.</exception>
    public static FeatureStatistics Of(ReadOnlySpan<double> features, int count, int dimension)
    {
        if (count < 2 || dimension < 1 || features.Length != count * dimension)
        {
            throw new ArgumentException($"features has {features.Length} values for {count} vectors of length {dimension}; expected count × dimension with count >= 2.", nameof(features));
        }

        var mean = new double[dimension];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                mean[j] += features[(i * dimension) + j];
            }
        }

        for (int j = 0; j < dimension; j++)
        {
            mean[j] /= count;
        }

        var cov = new double[dimension * dimension];
        var centred = new double[dimension];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < dimension; j++)
            {
                centred[j] = features[(i * dimension) + j] - mean[j];
            }

            for (int j = 0; j < dimension; j++)
            {
                double cj = centred[j];
                for (int k = j; k < dimension; k++)
                {
                    cov[(j * dimension) + k] += cj * centred[k];
                }
            }
        }

        for (int j = 0; j < dimension; j++)
        {
            for (int k = j; k < dimension; k++)
            {
                double v = cov[(j * dimension) + k] / (count - 1);
                cov[(j * dimension) + k] = v;
                cov[(k * dimension) + j] = v;
            }
        }

        return new FeatureStatistics(mean, cov, dimension);
    }
}

/// <summary>d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½), the Fréchet distance of two Gaussians.</summary>
public static class FrechetDistance
{
    /// <summary>
    /// The distance between two fitted Gaussians. tr (Σ₁Σ₂)^½ is computed as Σ √λᵢ over the eigenvalues λᵢ of the
    /// symmetric positive semi-definite matrix Σ₁^½ Σ₂ Σ₁^½ (which has the eigenvalues of Σ₁Σ₂), both by <see cref="SymmetricEigen"/>;
    /// eigenvalues rounded below zero count as zero. The result is clamped at 0.
    /// </summary>
    /// <exception cref="ArgumentException">The dimensions differ.</exception>
    public static double Compute(FeatureStatistics a, FeatureStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Dimension != b.Dimension)
        {
            throw new ArgumentException($"feature dimensions differ: {a.Dimension} and {b.Dimension}.", nameof(b));
        }

        int d = a.Dimension;
        double meanTerm = 0;
        for (int j = 0; j < d; j++)
        {
            double diff = a.Mean[j] - b.Mean[j];
            meanTerm += diff * diff;
        }

        double traces = 0;
        for (int j = 0; j < d; j++)
        {
            traces += a.Covariance[(j * d) + j] + b.Covariance[(j * d) + j];
        }

        double[] root = SymmetricEigen.SquareRoot(a.Covariance, d);
        double[] m = Multiply(Multiply(root, b.Covariance, d), root, d);
        (double[] values, _) = SymmetricEigen.Decompose(m, d);
        double traceRoot = values.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        return Math.Max(0, meanTerm + traces - (2 * traceRoot));
    }

    /// <summary>The distance between two feature sets (row-major, <paramref name="dimension"/> values per vector).</summary>
    public static double Compute(ReadOnlySpan<double> a, int countA, ReadOnlySpan<double> b, int countB, int dimension) =>
        Compute(FeatureStatistics.Of(a, countA, dimension), FeatureStatistics.Of(b, countB, dimension));

    private static double[] Multiply(double[] x, double[] y, int n)
    {
        var r = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < n; k++)
            {
                double xik = x[(i * n) + k];
                for (int j = 0; j < n; j++)
                {
                    r[(i * n) + j] += xik * y[(k * n) + j];
                }
            }
        }

        return r;
    }
}
