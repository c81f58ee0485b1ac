// The float32 reference: HostBackend's plain loops with nothing overridden, the oracle the fast CPU kernels are
// tested and benchmarked against.
namespace Dcgan.Backends.Cpu;

/// <summary>A float32 host backend that runs only the reference loops of <see cref="HostBackend{T}"/>.</summary>
internal sealed class ReferenceBackend : HostBackend<float>
{
    /// <summary>Creates the backend.</summary>
    /// <param name="threads">Worker threads for the reference loops; 0 uses every core.</param>
    public ReferenceBackend(int threads = 0)
        : base(threads)
    {
    }

    /// <summary>Always <c>cpu-reference</c>.</summary>
    public override string Name => "cpu-reference";
}
