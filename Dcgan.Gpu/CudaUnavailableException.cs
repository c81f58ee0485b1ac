// The one error a user sees when a CUDA device was asked for and cannot be used: why, and what to do instead.
namespace Dcgan.Gpu;

/// <summary>
/// Thrown when a CUDA device is requested (<c>--device cuda</c> or <c>cuda:N</c>) but cannot be used. The message
/// states the reason (no driver, no GPU, no such index, unsupported GPU, accelerator creation failed) and what to do.
/// </summary>
public sealed class CudaUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requestedDevice">The device asked for, such as <c>cuda:0</c>.</param>
    /// <param name="reason">Why it cannot be used, as a sentence fragment without a final period.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    public CudaUnavailableException(string requestedDevice, string reason, Exception? innerException = null)
        : base(Compose(requestedDevice, reason), innerException)
    {
        RequestedDevice = requestedDevice;
        Reason = reason;
    }

    /// <summary>The device that was asked for, such as <c>cuda:0</c>.</summary>
    public string RequestedDevice { get; }

    /// <summary>Why the device cannot be used.</summary>
    public string Reason { get; }

    /// <summary>What to do about it, the same for every reason.</summary>
    public static string Advice =>
        "Run `dcgan devices` to see what was found; check that `nvidia-smi` lists the GPU and that the NVIDIA driver is installed; " +
        "or train without a GPU with --device cpu (or --device ilgpu-cpu to run the GPU kernels on the CPU).";

    private static string Compose(string requestedDevice, string reason) =>
        $"--device {requestedDevice} cannot be used: {reason}. {Advice}";
}
