// Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, Matrix Computations,
// 4th ed., §8.5): plane rotations zero each off-diagonal element in turn until the off-diagonal mass is negligible.
// Slow (O(n³) per sweep) but simple and accurate to working precision, which is all a 64×64 covariance needs.
namespace Dcgan.Samples.Quality;

/// <summary>A = V·diag(λ)·Vᵀ for a symmetric matrix A, computed in float64 by cyclic Jacobi rotations.</summary>
public static class SymmetricEigen
{
    private const int MaxSweeps = 100;

    /// <summary>Decomposes a symmetric n×n matrix (row-major, n² values; only its symmetric part is used).</summary>
    /// <param name="matrix">The matrix, row-major; not changed.</param>
    /// <param name="n">Its side.</param>
    /// <returns>The eigenvalues (unsorted) and the eigenvectors as the columns of a row-major n×n matrix V.</returns>
    /// <exception cref="ArgumentException">The matrix does not have n² values, or holds NaN or infinity.</exception>
    /// <exception cref="InvalidOperationException">The rotations did not converge in 100 sweeps (not seen for finite input).</exception>
    public static (double[] Values, double[] Vectors) Decompose(ReadOnlySpan<double> matrix, int n)
    {
        if (n < 1 || matrix.Length != n * n)
        {
            throw new ArgumentException($"matrix has {matrix.Length} values; expected n² = {(long)n * n} for n = {n} >= 1.", nameof(matrix));
        }

        var a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double v = 0.5 * (matrix[(i * n) + j] + matrix[(j * n) + i]);
                if (!double.IsFinite(v))
                {
                    throw new ArgumentException($"matrix[{i}, {j}] is {v}; every value must be finite.", nameof(matrix));
                }

                a[(i * n) + j] = v;
            }
        }

        var vectors = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            vectors[(i * n) + i] = 1;
        }

        double total = 0;
        foreach (double v in a)
        {
            total += v * v;
        }

        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    off += a[(p * n) + q] * a[(p * n) + q];
                }
            }

            // Converged when the off-diagonal part is below rounding of the whole matrix (or exactly zero).
            if (off <= 1e-30 * total || off == 0)
            {
                return (Enumerable.Range(0, n).Select(i => a[(i * n) + i]).ToArray(), vectors);
            }

            for (int p = 0; p < n; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    Rotate(a, vectors, n, p, q);
                }
            }
        }

        throw new InvalidOperationException($"Jacobi eigen-decomposition of a {n}x{n} matrix did not converge in {MaxSweeps} sweeps.");
    }

    /// <summary>The symmetric square root V·diag(√max(λ, 0))·Vᵀ of a symmetric positive semi-definite matrix (row-major).</summary>
    /// <remarks>Eigenvalues that rounding pushed slightly below zero count as zero.</remarks>
    public static double[] SquareRoot(ReadOnlySpan<double> matrix, int n)
    {
        (double[] values, double[] v) = Decompose(matrix, n);
        var root = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            double s = Math.Sqrt(Math.Max(values[k], 0));
            for (int i = 0; i < n; i++)
            {
                double vik = v[(i * n) + k] * s;
                for (int j = 0; j < n; j++)
                {
                    root[(i * n) + j] += vik * v[(j * n) + k];
                }
            }
        }

        return root;
    }

    /// <summary>One Jacobi rotation in the (p, q) plane that zeroes a[p, q] (Golub &amp; Van Loan, Algorithm 8.5.1), applied to A and V.</summary>
    private static void Rotate(double[] a, double[] v, int n, int p, int q)
    {
        double apq = a[(p * n) + q];
        if (apq == 0)
        {
            return;
        }

        double app = a[(p * n) + p], aqq = a[(q * n) + q];
        double tau = (aqq - app) / (2 * apq);

        // The smaller root of t² + 2τt − 1 = 0, so the rotation angle is at most π/4.
        double t = Math.Sign(tau) == 0 ? 1 : Math.Sign(tau) / (Math.Abs(tau) + Math.Sqrt(1 + (tau * tau)));
        double c = 1 / Math.Sqrt(1 + (t * t));
        double s = t * c;
        for (int k = 0; k < n; k++)
        {
            double akp = a[(k * n) + p], akq = a[(k * n) + q];
            a[(k * n) + p] = (c * akp) - (s * akq);
            a[(k * n) + q] = (s * akp) + (c * akq);
        }

        for (int k = 0; k < n; k++)
        {
            double apk = a[(p * n) + k], aqk = a[(q * n) + k];
            a[(p * n) + k] = (c * apk) - (s * aqk);
            a[(q * n) + k] = (s * apk) + (c * aqk);
        }

        for (int k = 0; k < n; k++)
        {
            double vkp = v[(k * n) + p], vkq = v[(k * n) + q];
            v[(k * n) + p] = (c * vkp) - (s * vkq);
            v[(k * n) + q] = (s * vkp) + (c * vkq);
        }
    }
}
