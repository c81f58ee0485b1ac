// Compiles every kernel to PTX for Hopper (sm_90, H100/H200) and Ampere (sm_80) without a GPU, and checks the
// properties the design relies on: no atomics, no shared memory, no coarse tanh approximation.
namespace Dcgan.Tests.Gpu;

using Dcgan.Gpu.Kernels;
using ILGPU.Runtime.Cuda;

[Collection(IlgpuCollection.Name)]
public sealed class PtxCompileTests(IlgpuFixture fixture)
{
    public static TheoryData<int, int> Architectures => new() { { 9, 0 }, { 8, 0 } };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_kernel_compiles_to_ptx_without_a_gpu(int major, int minor)
    {
        var architecture = new CudaArchitecture(major, minor);
        IReadOnlyDictionary<string, string> ptx = PtxCompiler.CompileAll(architecture, CudaInstructionSet.ISA_80);

        Assert.Equal(fixture.CpuAccelerator.LoadedKernelCount, ptx.Count);
        foreach ((string name, string text) in ptx)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"sm_{major}{minor} {name}: {text.Length} characters of PTX, {text.Split('\n').First(l => l.StartsWith(".target", StringComparison.Ordinal))}");
            Assert.Contains(".version 8.0", text, StringComparison.Ordinal);
            Assert.Contains(".visible .entry", text, StringComparison.Ordinal);
            Assert.Matches(@"\.target sm_[0-9]+", text);
            Assert.DoesNotContain("atom.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("red.", text, StringComparison.Ordinal);
            Assert.DoesNotContain(".shared", text, StringComparison.Ordinal);
            Assert.DoesNotContain("tanh.approx", text, StringComparison.Ordinal);
        }
    }
}
