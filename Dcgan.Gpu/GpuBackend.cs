// The ILGPU backend: tensors in device buffers, every IBackend operation a kernel (Kernels/), all queued on the
// accelerator's default stream. Arguments are checked by Backend (Dcgan.Core) before any kernel runs. This file holds
// creation, memory and launching; the operations are in GpuBackend.Operations.cs. Kernels are compiled once, in the
// constructor.
namespace Dcgan.Gpu;

using Dcgan.Backends;
using Dcgan.Gpu.Kernels;
using Dcgan.Tensors;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

/// <summary>
/// An <see cref="IBackend"/> that runs every tensor operation as an ILGPU kernel: on an NVIDIA GPU through
/// CUDA (<see cref="CreateCuda"/>), or on ILGPU's CPU accelerator, which runs the same kernels on simulated GPU
/// threads, for tests without a GPU (<see cref="CreateCpuAccelerator()"/>).
/// <para>
/// Tensor storage is a <c>MemoryBuffer1D&lt;float, Stride1D.Dense&gt;</c>; a tensor is a view of
/// <see cref="Tensor.Length"/> elements from <see cref="Tensor.Offset"/>. Kernels are gather-style (one thread per
/// output element) and reductions add fixed partial sums in a fixed order, with no atomics, so results are
/// bit-identical from run to run. They follow <c>HostBackend</c>'s arithmetic term for term; results agree with
/// <see cref="Dcgan.Backends.Cpu.CpuBackend"/> to about 1e-6 relative (summation order of long reductions,
/// fused multiply-adds on a GPU, and exp/log rounding differ).
/// </para>
/// <para>
/// Work is queued on the accelerator's default stream; <see cref="Backend.Download"/> and <see cref="Backend.Synchronize"/> wait for it.
/// An instance is not thread-safe: use it from one thread at a time, as modules do.
/// </para>
/// <para>
/// Arguments are checked by <see cref="Backend"/> before any kernel is queued, with the same exceptions and messages
/// as the CPU backends; this class adds only what device memory needs (a view's buffer is still alive and holds it).
/// </para>
/// </summary>
public sealed partial class GpuBackend : Backend
{
    /// <summary>Threads per group on a GPU: a multiple of the warp size that keeps occupancy high.</summary>
    private const int CudaGroupSize = 256;

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly AcceleratorStream _stream;
    private readonly HashSet<MemoryBuffer1D<float, Stride1D.Dense>> _live = new(ReferenceEqualityComparer.Instance);
    private readonly int _groupSize;
    private readonly int _maxGroups;
    private MemoryBuffer1D<float, Stride1D.Dense>? _scratch;

    /// <summary>
    /// Creates the backend on an accelerator and takes ownership of it and of its context: <see cref="Backend.Dispose()"/>
    /// frees every tensor, then the accelerator, then the context (also when this constructor throws).
    /// Every kernel is compiled here (a few seconds on the CPU accelerator).
    /// </summary>
    /// <param name="context">The ILGPU context the accelerator was created from; it must have algorithms enabled
    /// (<c>Context.Create(b =&gt; b.Cuda().EnableAlgorithms())</c>), which the kernels' math functions need.</param>
    /// <param name="accelerator">A CUDA or CPU accelerator of <paramref name="context"/>.</param>
    /// <param name="name">The device name reported by <see cref="Name"/>; null derives it (<c>cuda:N</c> or <c>ilgpu-cpu</c>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> or <paramref name="accelerator"/> is null.</exception>
    /// <exception cref="ArgumentException">The accelerator belongs to another context.</exception>
    public GpuBackend(Context context, Accelerator accelerator, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(accelerator);
        try
        {
            if (!ReferenceEquals(accelerator.Context, context))
            {
                throw new ArgumentException($"Accelerator {accelerator.Name} belongs to another ILGPU context.", nameof(accelerator));
            }

            _context = context;
            _accelerator = accelerator;
            _stream = accelerator.DefaultStream;
            Name = name ?? (accelerator is CudaAccelerator cuda ? $"cuda:{cuda.DeviceId}" : "ilgpu-cpu");
            if (accelerator.AcceleratorType == AcceleratorType.CPU)
            {
                // Each simulated thread is an OS thread: one group, strided over the whole tensor, is fastest.
                _groupSize = accelerator.MaxNumThreadsPerGroup;
                _maxGroups = 1;
            }
            else
            {
                _groupSize = Math.Min(CudaGroupSize, accelerator.MaxNumThreadsPerGroup);
                _maxGroups = Math.Max(1, accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor / _groupSize);
            }

            WeightGradTargetThreads = _groupSize * _maxGroups;
            LoadKernels();
        }
        catch
        {
            accelerator.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <summary>The device name: <c>cuda:N</c> for a GPU, <c>ilgpu-cpu</c> for the CPU accelerator.</summary>
    public override string Name { get; }

    /// <summary>The ILGPU accelerator the kernels run on (owned by this backend).</summary>
    public Accelerator Accelerator => _accelerator;

    /// <summary>The accelerator's own description, such as <c>NVIDIA H200</c> or <c>CPUAccelerator</c>.</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>Device buffers currently allocated for tensors (not counting internal scratch memory).</summary>
    public int LiveBufferCount => _live.Count;

    /// <summary>
    /// Values each thread adds before partial sums are combined (per-channel reductions and the BCE loss).
    /// The split depends only on this and the shape, so results stay bit-identical from run to run.
    /// Tests lower it to exercise multi-partial paths on small tensors.
    /// </summary>
    internal int ReductionChunkLength { get; set; } = 256;

    /// <summary>
    /// The thread count the convolution weight gradient aims for: the batch is split into enough ranges that
    /// ranges × weights reaches it (a GPU needs tens of thousands of threads; the CPU accelerator one group).
    /// </summary>
    internal int WeightGradTargetThreads { get; set; }

    /// <summary>The number of kernels compiled by the constructor.</summary>
    internal int LoadedKernelCount { get; private set; }

    /// <summary>
    /// Creates a backend on CUDA device <paramref name="deviceIndex"/> (0 is the first GPU ILGPU lists).
    /// </summary>
    /// <param name="deviceIndex">The CUDA device index, as in <c>--device cuda:N</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deviceIndex"/> is negative.</exception>
    /// <exception cref="CudaUnavailableException">No usable CUDA device has that index; the message says why
    /// (no driver, no GPU, unsupported GPU, accelerator creation failed) and what to do.</exception>
    public static GpuBackend CreateCuda(int deviceIndex = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceIndex);
        string requested = $"cuda:{deviceIndex}";
        string? driverProblem = DeviceProbe.FindDriverProblem();
        if (driverProblem is not null)
        {
            throw new CudaUnavailableException(requested, driverProblem);
        }

        Context? context = null;
        try
        {
            context = CreateContext(b => b.Cuda());
            var devices = context.GetCudaDevices();
            if (deviceIndex >= devices.Count)
            {
                string found = devices.Count == 0
                    ? "ILGPU found no CUDA device it supports"
                    : $"only {devices.Count} CUDA device(s) exist (cuda:0 to cuda:{devices.Count - 1})";
                throw new CudaUnavailableException(requested, found);
            }

            CudaDevice device = context.GetCudaDevice(deviceIndex);
            string? deviceProblem = DeviceProbe.FindDeviceProblem(device);
            if (deviceProblem is not null)
            {
                throw new CudaUnavailableException(requested, deviceProblem);
            }

            CudaAccelerator accelerator;
            try
            {
                accelerator = device.CreateCudaAccelerator(context);
            }
            catch (Exception e) when (e is not CudaUnavailableException)
            {
                throw new CudaUnavailableException(requested, $"creating a CUDA accelerator on {device.Name} failed: {e.Message}", e);
            }

            Context owned = context;
            context = null;
            return new GpuBackend(owned, accelerator, requested);
        }
        finally
        {
            context?.Dispose();
        }
    }

    /// <summary>
    /// Creates a backend on ILGPU's CPU accelerator with groups of 4 simulated threads (2 warps of 2): the GPU
    /// kernels run unchanged on the host, slowly, for tests and for machines without a GPU.
    /// </summary>
    public static GpuBackend CreateCpuAccelerator() => CreateCpuAccelerator(threadsPerWarp: 2, warpsPerGroup: 2);

    /// <summary>
    /// Creates a backend on ILGPU's CPU accelerator simulating one multiprocessor with the given group shape.
    /// Every simulated thread is an OS thread that spins at barriers, so keep the product near the core count.
    /// </summary>
    /// <param name="threadsPerWarp">Simulated warp size, a power of two ≥ 2.</param>
    /// <param name="warpsPerGroup">Warps per group (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of ILGPU's range.</exception>
    public static GpuBackend CreateCpuAccelerator(int threadsPerWarp, int warpsPerGroup)
    {
        var device = new CPUDevice(threadsPerWarp, warpsPerGroup, numMultiprocessors: 1);
        Context context = CreateContext(b => b.CPU(device));
        CPUAccelerator accelerator;
        try
        {
            accelerator = device.CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel);
        }
        catch
        {
            context.Dispose();
            throw;
        }

        return new GpuBackend(context, accelerator, "ilgpu-cpu");
    }

    /// <inheritdoc/>
    internal override Tensor AllocateCore(TensorShape shape)
    {
        // ILGPU buffers of length 0 are avoided; an empty tensor gets one unused element.
        MemoryBuffer1D<float, Stride1D.Dense> buffer = _accelerator.Allocate1D<float>(Math.Max(shape.ElementCount, 1));
        try
        {
            buffer.View.MemSetToZero(_stream);
            _live.Add(buffer);
            return new Tensor(this, buffer, 0, shape, ownsStorage: true);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    internal override void ReleaseCore(Tensor tensor)
    {
        if (tensor.Storage is not MemoryBuffer1D<float, Stride1D.Dense> buffer || !_live.Remove(buffer))
        {
            // Not a device buffer of this backend (a hand-made tensor), or released twice: nothing to free.
            return;
        }

        // Queued kernels may still read the buffer; wait before handing the memory back.
        _stream.Synchronize();
        buffer.Dispose();
    }

    /// <inheritdoc/>
    internal override void SynchronizeCore() => _stream.Synchronize();

    /// <summary>Frees every tensor buffer and the scratch memory, then the accelerator, then the context.</summary>
    /// <param name="disposing">True when called from <see cref="Backend.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        try
        {
            _stream.Synchronize();
        }
        finally
        {
            foreach (MemoryBuffer1D<float, Stride1D.Dense> buffer in _live)
            {
                buffer.Dispose();
            }

            _live.Clear();
            _scratch?.Dispose();
            _scratch = null;
            _accelerator.Dispose();
            _context.Dispose();
        }
    }

    /// <summary>Formats as <c>GpuBackend(cuda:0, NVIDIA H200)</c>.</summary>
    public override string ToString() => $"GpuBackend({Name}, {DeviceName})";

    /// <summary>The context every accelerator of this backend is built in: algorithms on (XMath-backed float math).</summary>
    internal static Context CreateContext(Func<Context.Builder, Context.Builder> devices) =>
        Context.Create(b => devices(b).EnableAlgorithms());

    /// <summary>A launch that covers <paramref name="work"/> items with grid-stride loops.</summary>
    private KernelConfig Config(long work)
    {
        long groups = Math.Clamp((work + _groupSize - 1) / _groupSize, 1, _maxGroups);
        return new KernelConfig((int)groups, _groupSize);
    }

    /// <summary>
    /// The device view of a tensor that <see cref="Backend"/> checked, after proving it safe to index: its storage is a
    /// buffer of this backend that is still alive (a view can outlive the tensor that owned its memory), and offset +
    /// length lies inside the buffer. Empty tensors give an empty view that kernels never index.
    /// </summary>
    /// <exception cref="ArgumentException">The storage is not a device buffer, or the view runs past its end.</exception>
    /// <exception cref="ObjectDisposedException">The tensor's memory was released.</exception>
    private ArrayView<float> ViewOf(Tensor tensor, string name)
    {
        if (tensor.Storage is not MemoryBuffer1D<float, Stride1D.Dense> buffer)
        {
            throw new ArgumentException($"{name} ({tensor}) is not stored in a device buffer of backend {Name}.", name);
        }

        if (!_live.Contains(buffer))
        {
            throw new ObjectDisposedException(name, $"The memory of {name} ({tensor}) was released.");
        }

        if ((long)tensor.Offset + tensor.Length > buffer.Length)
        {
            throw new ArgumentException($"{name} ({tensor}) spans elements {tensor.Offset}..{(long)tensor.Offset + tensor.Length} of a buffer of {buffer.Length}.", name);
        }

        return tensor.Length == 0 ? default : buffer.View.SubView(tensor.Offset, tensor.Length);
    }

    /// <summary>
    /// Temporary device memory of at least <paramref name="length"/> floats for partial sums; it grows and is
    /// reused. Safe across calls because the stream runs kernels in order.
    /// </summary>
    private ArrayView<float> Scratch(long length)
    {
        if (length > int.MaxValue)
        {
            throw new ArgumentException($"An operation needs {length} floats of scratch memory; at most {int.MaxValue} are supported.");
        }

        if (_scratch is null || _scratch.Length < length)
        {
            _stream.Synchronize();
            _scratch?.Dispose();
            _scratch = null;
            _scratch = _accelerator.Allocate1D<float>(Math.Max(length, 1024));
        }

        return _scratch.View.SubView(0, Math.Max(length, 1));
    }
}
