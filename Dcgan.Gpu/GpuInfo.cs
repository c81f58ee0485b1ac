// Build facts about the ILGPU backend (the version it is compiled against).
namespace Dcgan.Gpu;

/// <summary>Information about the ILGPU backend.</summary>
public static class GpuInfo
{
    /// <summary>The ILGPU version this package is built against.</summary>
    public const string IlgpuVersion = "1.5.3";
}
