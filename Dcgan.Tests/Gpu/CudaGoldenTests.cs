// The PyTorch golden cases through the ILGPU kernels on cuda:0 (skipped without a GPU): the same cases, tolerances
// and reports as GoldenTests, on the backend the "ilgpu" collection shares, so the kernels compile once.
namespace Dcgan.Tests.Gpu;

using Dcgan.Tests.Golden;

[Collection(IlgpuCollection.Name)]
public sealed class CudaGoldenTests(IlgpuFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(GoldenTests.Cases), MemberType = typeof(GoldenTests), DisableDiscoveryEnumeration = true)]
    public void Case_matches_PyTorch_on_cuda(string file) => GoldenTests.RunOn(file, fixture.RequireCuda(), output);
}
