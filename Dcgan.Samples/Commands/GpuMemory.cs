// Device memory in use on the GPU behind a backend, from the CUDA driver (cuMemGetInfo): what `dcgan bench --json`
// reports before and after its timed steps, and what the CUDA memory test compares over many training steps.
namespace Dcgan.Samples.Commands;

using Dcgan.Backends;
using Dcgan.Gpu;
using ILGPU.Runtime.Cuda;

internal static class GpuMemory
{
    /// <summary>
    /// Bytes in use and in total on the CUDA device of <paramref name="backend"/> (the whole device, every process),
    /// after waiting for its queued work; null for a backend that is not on a CUDA device or when the driver does
    /// not answer.
    /// </summary>
    public static (long UsedBytes, long TotalBytes)? Query(IBackend backend)
    {
        if (backend is not GpuBackend { Accelerator: CudaAccelerator accelerator } gpu)
        {
            return null;
        }

        gpu.Synchronize();
        // cuMemGetInfo answers for the calling thread's current context, which need not be this accelerator's.
        accelerator.Bind();
        if (CudaAPI.CurrentAPI.GetMemoryInfo(out long free, out long total) != CudaError.CUDA_SUCCESS)
        {
            return null;
        }

        return (total - free, total);
    }
}
