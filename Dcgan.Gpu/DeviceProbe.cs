// Finds the CUDA devices ILGPU can use, or says why there are none, without ever throwing:
// the data behind `dcgan devices` and behind CudaUnavailableException's reasons.
namespace Dcgan.Gpu;

using System.Globalization;
using System.Text;
using ILGPU;
using ILGPU.Runtime.Cuda;

/// <summary>One CUDA device as the probe saw it.</summary>
/// <param name="Index">The index to pass as <c>--device cuda:N</c>.</param>
/// <param name="Name">The device name, such as <c>NVIDIA H200</c>.</param>
/// <param name="ComputeCapabilityMajor">Major compute capability (9 for Hopper), or 0 when unknown.</param>
/// <param name="ComputeCapabilityMinor">Minor compute capability, or 0 when unknown.</param>
/// <param name="MemoryBytes">Total device memory in bytes.</param>
/// <param name="Multiprocessors">Streaming multiprocessors.</param>
/// <param name="Problem">Why the device cannot be used, or null when it can.</param>
public sealed record CudaDeviceInfo(
    int Index, string Name, int ComputeCapabilityMajor, int ComputeCapabilityMinor, long MemoryBytes, int Multiprocessors, string? Problem)
{
    /// <summary>Whether a backend can be created on this device.</summary>
    public bool IsUsable => Problem is null;

    /// <summary>The compute capability as <c>major.minor</c>, such as <c>9.0</c>.</summary>
    public string ComputeCapability => $"{ComputeCapabilityMajor}.{ComputeCapabilityMinor}";

    /// <summary>One line: <c>cuda:0  NVIDIA H200  sm_90  139.8 GiB  132 SMs</c>, plus the problem if any.</summary>
    public override string ToString()
    {
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"cuda:{Index}  {Name}  compute {ComputeCapability}  {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB  {Multiprocessors} SMs");
        return Problem is null ? line : $"{line}  (unusable: {Problem})";
    }
}

/// <summary>What <see cref="DeviceProbe.Probe"/> found.</summary>
/// <param name="DriverProblem">Why no CUDA device can be listed at all (no driver, driver error, no GPU), or null.</param>
/// <param name="Devices">The CUDA devices ILGPU lists, usable or not.</param>
public sealed record DeviceProbeResult(string? DriverProblem, IReadOnlyList<CudaDeviceInfo> Devices)
{
    /// <summary>Whether at least one device can run the backend.</summary>
    public bool HasUsableDevice => Devices.Any(d => d.IsUsable);

    /// <summary>Why no device is usable (the driver problem, or each device's problem), or null when one is.</summary>
    public string? WhyNoneUsable =>
        HasUsableDevice ? null
        : DriverProblem ?? (Devices.Count == 0 ? "ILGPU lists no CUDA device" : string.Join("; ", Devices.Select(d => $"cuda:{d.Index}: {d.Problem}")));

    /// <summary>A report for <c>dcgan devices</c>: one line per device, or the reason there is none, and the CPU options.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        if (Devices.Count == 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"No CUDA device: {WhyNoneUsable}.");
        }

        foreach (CudaDeviceInfo device in Devices)
        {
            text.AppendLine(device.ToString());
        }

        text.AppendLine("cpu        the managed CPU backend (always available)");
        text.AppendLine("ilgpu-cpu  the GPU kernels on ILGPU's CPU accelerator (slow; for testing)");
        return text.ToString();
    }
}

/// <summary>Lists CUDA devices and explains why none is usable; never throws.</summary>
public static class DeviceProbe
{
    /// <summary>
    /// Looks for CUDA devices. Never throws: every failure becomes <see cref="DeviceProbeResult.DriverProblem"/>
    /// or a device's <see cref="CudaDeviceInfo.Problem"/>.
    /// </summary>
    /// <param name="tryCreateAccelerators">Also create (and free) an accelerator on each device, which catches
    /// failures such as an out-of-memory or exclusive-process GPU (costs a fraction of a second per device).</param>
    public static DeviceProbeResult Probe(bool tryCreateAccelerators = true)
    {
        try
        {
            string? driverProblem = FindDriverProblem();
            if (driverProblem is not null)
            {
                return new DeviceProbeResult(driverProblem, []);
            }

            using Context context = GpuBackend.CreateContext(b => b.Cuda());
            var devices = new List<CudaDeviceInfo>();
            int index = 0;
            foreach (CudaDevice device in context.GetCudaDevices())
            {
                devices.Add(Describe(context, device, index++, tryCreateAccelerators));
            }

            string? listProblem = null;
            if (devices.Count == 0)
            {
                listProblem = "the CUDA driver reports GPUs but ILGPU 1.5.3 could not set up any of them (compute capability below 3.0, or a driver error while reading their properties)";
            }

            return new DeviceProbeResult(listProblem, devices);
        }
        catch (Exception e)
        {
            return new DeviceProbeResult($"probing CUDA failed: {e.GetType().Name}: {e.Message}", []);
        }
    }

    /// <summary>Why the CUDA driver cannot list any device, or null when it reports at least one.</summary>
    internal static string? FindDriverProblem()
    {
        try
        {
            CudaAPI api = CudaAPI.CurrentAPI;
            if (api is null || !api.IsSupported)
            {
                return "no CUDA driver was found (the NVIDIA driver library, libcuda.so.1 on Linux or nvcuda.dll on Windows, could not be loaded or initialised)";
            }

            CudaError error = api.GetDeviceCount(out int count);
            if (error != CudaError.CUDA_SUCCESS)
            {
                return $"the CUDA driver could not count GPUs: {error} ({api.GetErrorString(error)})";
            }

            return count < 1 ? "the CUDA driver is installed but reports no GPU" : null;
        }
        catch (Exception e)
        {
            return $"the CUDA driver could not be queried: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Why ILGPU cannot target <paramref name="device"/>, or null.</summary>
    internal static string? FindDeviceProblem(CudaDevice device)
    {
        if (device.Architecture is null)
        {
            return $"ILGPU 1.5.3 does not know the compute capability of {device.Name}";
        }

        if (device.InstructionSet is null)
        {
            return $"the CUDA driver {device.DriverVersion} is too old for the PTX that ILGPU 1.5.3 emits for compute {device.Architecture}; update the NVIDIA driver";
        }

        return null;
    }

    private static CudaDeviceInfo Describe(Context context, CudaDevice device, int index, bool tryCreate)
    {
        string name = "unknown";
        int major = 0, minor = 0, multiprocessors = 0;
        long memory = 0;
        try
        {
            name = device.Name;
            memory = device.MemorySize;
            multiprocessors = device.NumMultiprocessors;
            if (device.Architecture is CudaArchitecture arch)
            {
                major = arch.Major;
                minor = arch.Minor;
            }

            string? problem = FindDeviceProblem(device);
            if (problem is null && tryCreate)
            {
                try
                {
                    using CudaAccelerator accelerator = device.CreateCudaAccelerator(context);
                }
                catch (Exception e)
                {
                    problem = $"creating a CUDA accelerator failed: {e.Message}";
                }
            }

            return new CudaDeviceInfo(index, name, major, minor, memory, multiprocessors, problem);
        }
        catch (Exception e)
        {
            return new CudaDeviceInfo(index, name, major, minor, memory, multiprocessors, $"reading its properties failed: {e.Message}");
        }
    }
}
