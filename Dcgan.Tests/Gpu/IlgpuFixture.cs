// One ILGPU backend per accelerator kind for the whole test run: compiling the kernels takes seconds on the
// CPU accelerator, and a backend is not thread-safe, so every test that uses one is in the "ilgpu" collection.
namespace Dcgan.Tests.Gpu;

using Dcgan.Gpu;

/// <summary>The ILGPU backends shared by the GPU tests.</summary>
public sealed class IlgpuFixture : IDisposable
{
    private readonly Lazy<GpuBackend> _cpuAccelerator = new(GpuBackend.CreateCpuAccelerator);
    private readonly Lazy<(GpuBackend? Backend, string? Why)> _cuda = new(CreateCuda);

    /// <summary>The backend on ILGPU's CPU accelerator (always available).</summary>
    public GpuBackend CpuAccelerator => _cpuAccelerator.Value;

    /// <summary>The backend on cuda:0, or null with <see cref="CudaUnavailableReason"/>.</summary>
    public GpuBackend? Cuda => _cuda.Value.Backend;

    /// <summary>Why <see cref="Cuda"/> is null.</summary>
    public string? CudaUnavailableReason => _cuda.Value.Why;

    /// <summary>The backend on cuda:0; skips the calling test, saying why, when there is none.</summary>
    public GpuBackend RequireCuda()
    {
        if (Cuda is null)
        {
            Assert.Skip($"No usable CUDA device: {CudaUnavailableReason}.");
        }

        return Cuda;
    }

    public void Dispose()
    {
        if (_cpuAccelerator.IsValueCreated)
        {
            _cpuAccelerator.Value.Dispose();
        }

        if (_cuda.IsValueCreated)
        {
            _cuda.Value.Backend?.Dispose();
        }
    }

    private static (GpuBackend?, string?) CreateCuda()
    {
        try
        {
            return (GpuBackend.CreateCuda(0), null);
        }
        catch (CudaUnavailableException e)
        {
            return (null, e.Reason);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class IlgpuCollection : ICollectionFixture<IlgpuFixture>
{
    public const string Name = "ilgpu";
}
