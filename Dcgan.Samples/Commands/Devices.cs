// Maps --device to a backend. The GPU devices arrive with the ILGPU backend.
namespace Dcgan.Samples.Commands;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;

/// <summary>Raised when a requested device cannot be used; the message says why and what to do.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);

public static class Devices
{
    public static IBackend Create(string device, int threads) => device switch
    {
        "cpu" => new CpuBackend(threads),
        _ => throw new DeviceUnavailableException($"--device '{device}' is not available; use --device cpu."),
    };
}
