// Float64 host backend: runs any module in double precision, for finite-difference gradient checks.
namespace Dcgan.Backends.Cpu;

/// <summary>
/// A host backend that stores and computes in float64 with the reference loops. It runs the same modules
/// as <see cref="CpuBackend"/>; use it for finite-difference gradient checks and numerical studies,
/// not for training (it is several times slower). Uploads and downloads convert to and from float32;
/// use <see cref="HostBackend{T}.GetSpan"/> to read or write the doubles themselves.
/// </summary>
public sealed class Float64Backend : HostBackend<double>
{
    /// <summary>Creates the backend.</summary>
    /// <param name="threads">Worker threads; 0 (the default) uses every core.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    public Float64Backend(int threads = 0)
        : base(threads)
    {
    }

    /// <summary>Always <c>cpu-float64</c>.</summary>
    public override string Name => "cpu-float64";
}
