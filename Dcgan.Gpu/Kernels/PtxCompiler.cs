// Compiles every kernel to PTX without a GPU or driver: ILGPU 1.5.3's PTXBackend is public and needs only a context,
// a target architecture and a PTX instruction set. This is the code path CudaAccelerator uses when it loads a kernel,
// minus the driver's JIT from PTX to machine code.
namespace Dcgan.Gpu.Kernels;

using System.Reflection;
using ILGPU;
using ILGPU.Backends;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

/// <summary>Offline PTX generation for the kernels of <see cref="DeviceKernels"/>.</summary>
internal static class PtxCompiler
{
    /// <summary>Every kernel method: the public static methods of <see cref="DeviceKernels"/> whose name ends in <c>Kernel</c>.</summary>
    public static IReadOnlyList<MethodInfo> Kernels { get; } = typeof(DeviceKernels)
        .GetMethods(BindingFlags.Public | BindingFlags.Static)
        .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal))
        .OrderBy(m => m.Name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Compiles each kernel as an explicitly grouped kernel (as <c>LoadStreamKernel</c> does) for
    /// <paramref name="architecture"/>, emitting PTX of version <paramref name="instructionSet"/>.
    /// </summary>
    /// <returns>Kernel name → PTX assembly text.</returns>
    /// <exception cref="InternalCompilerException">ILGPU cannot compile a kernel (an unsupported construct).</exception>
    public static IReadOnlyDictionary<string, string> CompileAll(CudaArchitecture architecture, CudaInstructionSet instructionSet)
    {
        using Context context = GpuBackend.CreateContext(b => b.DefaultCPU());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(architecture), architecture, instructionSet, nvvmAPI: null);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (MethodInfo kernel in Kernels)
        {
            EntryPointDescription entry = EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
            var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
            result[kernel.Name] = compiled.PTXAssembly;
        }

        return result;
    }
}
