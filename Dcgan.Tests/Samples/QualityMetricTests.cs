// dcgan eval's numerics: the Jacobi eigen solver against reconstruction and known spectra, the Fréchet distance against
// closed forms computed independently (2×2 via tr √M = √(tr M + 2√det M), diagonal covariances via Σ(σ₁ − σ₂)²), and the
// classifier score and class shares at their known extremes.
namespace Dcgan.Tests.Samples;

using Dcgan.Init;
using Dcgan.Samples.Quality;

public sealed class QualityMetricTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(12)]
    [InlineData(64)]
    public void Jacobi_eigenvectors_reconstruct_the_matrix_and_are_orthonormal(int n)
    {
        var random = new RandomSource((ulong)(100 + n));
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                a[(i * n) + j] = a[(j * n) + i] = random.Normal();
            }
        }

        (double[] values, double[] v) = SymmetricEigen.Decompose(a, n);
        double worstReconstruction = 0, worstOrthogonality = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double r = 0, o = 0;
                for (int k = 0; k < n; k++)
                {
                    r += v[(i * n) + k] * values[k] * v[(j * n) + k];
                    o += v[(k * n) + i] * v[(k * n) + j];
                }

                worstReconstruction = Math.Max(worstReconstruction, Math.Abs(r - a[(i * n) + j]));
                worstOrthogonality = Math.Max(worstOrthogonality, Math.Abs(o - (i == j ? 1 : 0)));
            }
        }

        output.WriteLine($"n = {n}: worst |V diag(l) V^T - A| = {worstReconstruction:E2}, worst |V^T V - I| = {worstOrthogonality:E2}");
        Assert.True(worstReconstruction < 1e-10 * n, $"reconstruction error {worstReconstruction:E2}");
        Assert.True(worstOrthogonality < 1e-12 * n, $"orthogonality error {worstOrthogonality:E2}");
        Assert.Equal(Enumerable.Range(0, n).Sum(i => a[(i * n) + i]), values.Sum(), 1e-9 * n);
    }

    [Fact]
    public void Jacobi_finds_known_eigenvalues_and_square_roots()
    {
        (double[] values, _) = SymmetricEigen.Decompose([2, 1, 1, 2], 2);
        Assert.Equal([1.0, 3.0], values.Order().ToArray(), (x, y) => Math.Abs(x - y) < 1e-14);

        // [[5, 4], [4, 5]] = [[2, 1], [1, 2]]²: its square root is [[2, 1], [1, 2]].
        double[] root = SymmetricEigen.SquareRoot([5, 4, 4, 5], 2);
        Assert.Equal([2.0, 1.0, 1.0, 2.0], root, (x, y) => Math.Abs(x - y) < 1e-13);

        var e = Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, double.NaN, double.NaN, 1], 2));
        Assert.Contains("finite", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Decompose([1, 2, 3], 2));
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(-0.9)]
    [InlineData(0.0)]
    public void Frechet_distance_of_2x2_gaussians_matches_the_closed_form(double correlation)
    {
        // Non-commuting covariances, so a solver that multiplied square roots of each would fail.
        double[] s1 = [2.0, correlation, correlation, 1.0];
        double[] s2 = [1.5, -0.4, -0.4, 0.7];
        double[] mu1 = [0.5, -1.0], mu2 = [1.5, 1.0];
        double[] p = Multiply2(s1, s2);
        double det = ((s1[0] * s1[3]) - (s1[1] * s1[2])) * ((s2[0] * s2[3]) - (s2[1] * s2[2]));
        double traceRoot = Math.Sqrt(p[0] + p[3] + (2 * Math.Sqrt(det)));
        double expected = 1.0 + 4.0 + s1[0] + s1[3] + s2[0] + s2[3] - (2 * traceRoot);

        double actual = FrechetDistance.Compute(new FeatureStatistics(mu1, s1, 2), new FeatureStatistics(mu2, s2, 2));

        output.WriteLine($"correlation {correlation}: expected {expected:R}, got {actual:R}");
        Assert.Equal(expected, actual, 1e-12);
    }

    [Fact]
    public void Frechet_distance_of_diagonal_gaussians_is_the_sum_of_squared_sigma_differences()
    {
        const int d = 6;
        var random = new RandomSource(7);
        double[] mu1 = new double[d], mu2 = new double[d], v1 = new double[d * d], v2 = new double[d * d];
        double expected = 0;
        for (int j = 0; j < d; j++)
        {
            mu1[j] = random.Normal();
            mu2[j] = random.Normal();
            double sigma1 = 0.1 + random.NextDouble(), sigma2 = 0.1 + random.NextDouble();
            v1[(j * d) + j] = sigma1 * sigma1;
            v2[(j * d) + j] = sigma2 * sigma2;
            expected += ((mu1[j] - mu2[j]) * (mu1[j] - mu2[j])) + ((sigma1 - sigma2) * (sigma1 - sigma2));
        }

        double actual = FrechetDistance.Compute(new FeatureStatistics(mu1, v1, d), new FeatureStatistics(mu2, v2, d));
        Assert.Equal(expected, actual, 1e-12);
    }

    [Fact]
    public void A_set_against_itself_is_zero_and_a_shifted_copy_gives_the_squared_shift()
    {
        const int n = 500, d = 16;
        var random = new RandomSource(3);
        var a = new double[n * d];
        for (int i = 0; i < a.Length; i++)
        {
            // Correlated, with some all-zero features (as ReLU features have): a singular covariance.
            a[i] = i % d < 3 ? 0 : random.Normal() + (0.5 * (i % d));
        }

        double self = FrechetDistance.Compute(a, n, a, n, d);
        double[] shifted = a.Select(v => v + 0.25).ToArray();
        double shift = FrechetDistance.Compute(a, n, shifted, n, d);

        output.WriteLine($"self {self:E2}, shifted by 0.25 in {d} features: {shift:R} (expected {d * 0.0625})");
        Assert.True(self < 1e-9, $"distance of a set to itself is {self:E3}");
        Assert.Equal(d * 0.0625, shift, 1e-9);

        var stats = FeatureStatistics.Of([1, 2, 3, 5], 2, 2);
        Assert.Equal([2.0, 3.5], stats.Mean);
        Assert.Equal([2.0, 3.0, 3.0, 4.5], stats.Covariance);
    }

    [Fact]
    public void Classifier_score_and_class_shares_at_their_extremes()
    {
        const int n = 40;
        var oneHotBalanced = new double[n * 10];
        var uniform = new double[n * 10];
        var allSeven = new double[n * 10];
        for (int i = 0; i < n; i++)
        {
            oneHotBalanced[(i * 10) + (i % 10)] = 1;
            allSeven[(i * 10) + 7] = 1;
            for (int c = 0; c < 10; c++)
            {
                uniform[(i * 10) + c] = 0.1;
            }
        }

        Assert.Equal(10.0, QualityReport.ClassifierScore(oneHotBalanced, n), 1e-12);
        Assert.Equal(1.0, QualityReport.ClassifierScore(uniform, n), 1e-12);
        Assert.Equal(1.0, QualityReport.ClassifierScore(allSeven, n), 1e-12);
        Assert.All(QualityReport.Shares(oneHotBalanced, n), s => Assert.Equal(0.1, s, 1e-12));
        double[] shares = QualityReport.Shares(allSeven, n);
        Assert.Equal(1.0, shares[7], 1e-12);
        Assert.Equal(1.0, shares.Sum(), 1e-12);
    }

    [Fact]
    public void Class_accuracy_counts_the_samples_read_as_the_class_they_were_drawn_for()
    {
        // Six samples: drawn for classes 0, 0, 1, 1, 2, 2; the classifier reads 0, 3, 1, 1, 2, 0.
        int[] drawn = [0, 0, 1, 1, 2, 2];
        int[] read = [0, 3, 1, 1, 2, 0];
        double[] probabilities = new double[6 * 10];
        for (int i = 0; i < 6; i++)
        {
            probabilities.AsSpan(i * 10, 10).Fill(0.05);
            probabilities[(i * 10) + read[i]] = 0.55;
        }

        (double overall, double[] perClass) = QualityReport.Accuracy(probabilities, drawn, 6);
        output.WriteLine($"overall {overall}, per class {string.Join(", ", perClass)}");
        Assert.Equal(4.0 / 6, overall, 12);
        Assert.Equal(0.5, perClass[0], 12);
        Assert.Equal(1.0, perClass[1], 12);
        Assert.Equal(0.5, perClass[2], 12);
        Assert.True(double.IsNaN(perClass[3]), "a class no sample was drawn for has no accuracy");
        Assert.Throws<ArgumentException>(() => QualityReport.Accuracy(probabilities, [0, 0, 1, 1, 2, 10], 6));
    }

    private static double[] Multiply2(double[] x, double[] y) =>
        [(x[0] * y[0]) + (x[1] * y[2]), (x[0] * y[1]) + (x[1] * y[3]), (x[2] * y[0]) + (x[3] * y[2]), (x[2] * y[1]) + (x[3] * y[3])];
}
