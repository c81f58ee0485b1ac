// The reference loops of HostBackend<float> without CpuBackend's SIMD overrides: the scalar float32 oracle
// that the vectorised kernels must match bit for bit.
namespace Dcgan.Tests.Backends;

using Dcgan.Backends.Cpu;

public sealed class ScalarFloatBackend : HostBackend<float>
{
    public ScalarFloatBackend()
        : base(threads: 1)
    {
    }

    public override string Name => "cpu-scalar";
}
