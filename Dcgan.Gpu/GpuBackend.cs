// Placeholder until the ILGPU backend lands (issue: Dcgan.Gpu).
namespace Dcgan.Gpu;

/// <summary>Information about the ILGPU backend, which is not implemented yet.</summary>
public static class GpuInfo
{
    /// <summary>The ILGPU version this package is built against.</summary>
    public const string IlgpuVersion = "1.5.3";
}
