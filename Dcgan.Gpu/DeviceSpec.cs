// The value of the --device flag: cpu, cuda, cuda:N or ilgpu-cpu, parsed once and turned into a backend.
namespace Dcgan.Gpu;

using System.Globalization;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;

/// <summary>Which kind of device a <see cref="DeviceSpec"/> names.</summary>
public enum DeviceKind
{
    /// <summary>The managed CPU backend (<see cref="CpuBackend"/>), SIMD and multithreaded.</summary>
    Cpu,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA accelerator (<see cref="GpuBackend.CreateCuda"/>).</summary>
    Cuda,

    /// <summary>ILGPU's CPU accelerator running the GPU kernels (<see cref="GpuBackend.CreateCpuAccelerator()"/>); for testing.</summary>
    IlgpuCpu,
}

/// <summary>
/// A parsed <c>--device</c> value: <c>cpu</c>, <c>cuda</c> (same as <c>cuda:0</c>), <c>cuda:N</c> or <c>ilgpu-cpu</c>.
/// </summary>
/// <param name="Kind">The kind of device.</param>
/// <param name="Index">The CUDA device index (0 for the other kinds).</param>
public sealed record DeviceSpec(DeviceKind Kind, int Index = 0)
{
    /// <summary>The accepted spellings, for help texts.</summary>
    public const string Syntax = "cpu | cuda | cuda:N | ilgpu-cpu";

    /// <summary>The CPU backend.</summary>
    public static DeviceSpec Cpu { get; } = new(DeviceKind.Cpu);

    /// <summary>Parses a <c>--device</c> value (case-insensitive, surrounding spaces ignored).</summary>
    /// <param name="text">The flag's value.</param>
    /// <exception cref="ArgumentException">The value is none of <see cref="Syntax"/>; the message quotes it.</exception>
    public static DeviceSpec Parse(string text)
    {
        if (TryParse(text, out DeviceSpec? spec, out string? error))
        {
            return spec;
        }

        throw new ArgumentException(error, nameof(text));
    }

    /// <summary>Parses a <c>--device</c> value without throwing.</summary>
    /// <param name="text">The flag's value.</param>
    /// <param name="spec">The parsed device, or null.</param>
    /// <param name="error">Why the value was rejected, or null.</param>
    /// <returns>Whether the value was valid.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DeviceSpec? spec, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        spec = null;
        error = null;
        string value = (text ?? string.Empty).Trim().ToLowerInvariant();
        switch (value)
        {
            case "cpu":
                spec = Cpu;
                return true;
            case "cuda":
                spec = new DeviceSpec(DeviceKind.Cuda, 0);
                return true;
            case "ilgpu-cpu":
                spec = new DeviceSpec(DeviceKind.IlgpuCpu);
                return true;
        }

        const string prefix = "cuda:";
        if (value.StartsWith(prefix, StringComparison.Ordinal))
        {
            string digits = value[prefix.Length..];
            if (digits.Length > 0 && digits.All(char.IsAsciiDigit)
                && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                spec = new DeviceSpec(DeviceKind.Cuda, index);
                return true;
            }

            error = $"--device '{text}' has no valid GPU index after 'cuda:'; expected a number such as cuda:0 (accepted: {Syntax}).";
            return false;
        }

        error = $"--device '{text}' is not a known device; expected {Syntax}.";
        return false;
    }

    /// <summary>Creates the backend this value names.</summary>
    /// <param name="cpuThreads">Worker threads for <see cref="DeviceKind.Cpu"/>; 0 uses every core.</param>
    /// <exception cref="CudaUnavailableException">A CUDA device was named and cannot be used; the message says why and what to do.</exception>
    public IBackend CreateBackend(int cpuThreads = 0) => Kind switch
    {
        DeviceKind.Cpu => new CpuBackend(cpuThreads),
        DeviceKind.IlgpuCpu => GpuBackend.CreateCpuAccelerator(),
        DeviceKind.Cuda => GpuBackend.CreateCuda(Index),
        _ => throw new InvalidOperationException($"Unknown device kind {Kind}."),
    };

    /// <summary>The canonical spelling: <c>cpu</c>, <c>cuda:N</c> or <c>ilgpu-cpu</c>.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cuda => $"cuda:{Index.ToString(CultureInfo.InvariantCulture)}",
        DeviceKind.IlgpuCpu => "ilgpu-cpu",
        _ => "cpu",
    };
}
