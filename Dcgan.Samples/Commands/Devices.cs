// --device → backend, through Dcgan.Gpu's DeviceSpec; `dcgan devices` prints what the CUDA probe finds.
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Gpu;

public static class Devices
{
    public const string Help = "cpu (default), cuda, cuda:N (an NVIDIA GPU through ILGPU) or ilgpu-cpu (the GPU kernels on ILGPU's CPU accelerator, for testing). A GPU that cannot be used is an error, never a silent fallback.";

    /// <summary>Creates the backend for <paramref name="device"/>; throws ArgumentException or CudaUnavailableException with one line saying why.</summary>
    public static IBackend Create(string device, int threads) => DeviceSpec.Parse(device).CreateBackend(threads);

    public static Command CreateCommand()
    {
        var command = new Command("devices", "Name the CPU backend's instruction set and vector width, and list the CUDA devices the ILGPU backend can use (name, compute capability, memory), or say why there are none.");
        command.SetAction(_ =>
        {
            using (var cpu = new CpuBackend())
            {
                Console.WriteLine(cpu.Description);
            }

            DeviceProbeResult probe = DeviceProbe.Probe();
            Console.WriteLine(probe.Describe());
            return 0;
        });
        return command;
    }
}
