// The CPU backend: float32 tensors in host arrays; convolutions as packed, register-blocked implicit GEMMs
// (Vector512 FMA micro-kernel), vectorised BatchNorm, activations, dropout and Adam, all on one worker pool
// with a fixed chunking, so results are bit-identical for any thread count. Arguments are checked by Backend before a
// kernel runs. HostBackend's loops are the oracle.
namespace Dcgan.Backends.Cpu;

using System.Numerics;
using Dcgan.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

/// <summary>
/// The CPU backend: float32 NCHW tensors in managed arrays. Convolutions and Linear layers run as packed,
/// cache-blocked GEMMs with a 6×64 Vector512 FMA micro-kernel (a portable kernel where AVX-512 is missing),
/// skipping the taps that fall on padding and the structural zeros of strided transposed convolutions;
/// BatchNorm, activations, dropout and Adam are vectorised (<see cref="Vector{T}"/>, Vector512 and
/// <see cref="TensorPrimitives"/>). Work is split into a fixed number of chunks that does not depend on the
/// thread count and partial sums are combined in a fixed order, so results are bit-identical for any thread
/// count. Scratch memory is allocated once and reused: after the first training step nothing is allocated.
/// Calls from several threads are safe and run one kernel at a time. Dispose the backend to stop its worker threads.
/// Arguments are checked by <see cref="Backend"/> (the same checks and messages as every other backend).
/// </summary>
public sealed unsafe partial class CpuBackend : HostBackend<float>
{
    private readonly WorkerPool _pool;
    private readonly SimdWidth _width;
    private readonly WorkerScratch[] _scratch;
    private readonly PinnedBuffer _layoutA = new();
    private readonly PinnedBuffer _layoutB = new();
    private readonly PinnedBuffer _packedWeights = new();
    private readonly PinnedBuffer _accumulator = new();
    private readonly Gemm _gemm;
    private readonly GemvJob _gemv;
    private readonly BatchMinorJob _batchMinor;
    private readonly ReducePartialsJob _reducePartials = new();
    private readonly ToChannelMinorJob _toChannelMinor;
    private readonly PackWeightsJob _packWeights = new();
    private readonly AddTapMajorJob _addTapMajor = new();
    private readonly ConvForwardJob _convForward;
    private readonly ConvBackwardInputJob _convBackwardInput;
    private readonly ConvBackwardWeightJob _convBackwardWeight;
    private readonly SmallChannelWeightGradientJob _smallChannelWeightGradient;
    private readonly SmallChannelForwardJob _smallChannelForward;
    private readonly SmallChannelBackwardInputJob _smallChannelBackwardInput;
    private readonly object _sync = new();

    /// <summary>Creates a CPU backend.</summary>
    /// <param name="threads">Worker threads; 0 (the default) uses every core.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is negative.</exception>
    public CpuBackend(int threads = 0)
        : this(threads, SimdWidths.Best)
    {
    }

    /// <summary>Creates a CPU backend at a given vector width (tests run every width the machine has).</summary>
    /// <param name="threads">Worker threads; 0 uses every core.</param>
    /// <param name="width">The vector width; at most <see cref="SimdWidths.Best"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The machine cannot run <paramref name="width"/>.</exception>
    internal CpuBackend(int threads, SimdWidth width)
        : base(threads)
    {
        _width = SimdWidths.Check(width, nameof(width));
        _gemv = new GemvJob(_width);
        _batchMinor = new BatchMinorJob(_width);
        _toChannelMinor = new ToChannelMinorJob(_width);
        _batchNorm = new BatchNormJob(_width);
        _pool = new WorkerPool(Threads);
        _scratch = new WorkerScratch[Threads];
        for (int i = 0; i < _scratch.Length; i++)
        {
            _scratch[i] = new WorkerScratch();
        }

        _gemm = new Gemm(_scratch);
        _convForward = new ConvForwardJob(_scratch);
        _convBackwardInput = new ConvBackwardInputJob(_scratch);
        _convBackwardWeight = new ConvBackwardWeightJob(_scratch);
        _smallChannelWeightGradient = new SmallChannelWeightGradientJob(_scratch);
        _smallChannelForward = new SmallChannelForwardJob(_scratch);
        _smallChannelBackwardInput = new SmallChannelBackwardInputJob(_scratch);
        InitElementwiseJobs();
    }

    /// <summary>Always <c>cpu</c>.</summary>
    public override string Name => "cpu";

    /// <summary>The vector width the kernels compute with.</summary>
    internal SimdWidth Width => _width;

    /// <summary>
    /// The instruction set the kernels use, chosen once at start-up: <c>AVX-512F</c>, <c>AVX2+FMA</c>, <c>AdvSimd</c>
    /// (ARM64 NEON), <c>SSE</c> or <c>scalar</c>. The runtime's switches lower it (<c>DOTNET_EnableAVX512=0</c>,
    /// <c>DOTNET_EnableAVX2=0</c>).
    /// </summary>
    public string InstructionSet => SimdWidths.InstructionSet(_width);

    /// <summary>The vector width in bits: 512, 256, 128, or 32 when scalar.</summary>
    public int VectorBits => (int)_width;

    /// <summary>A one-line description for logs, e.g. <c>cpu: AVX2+FMA, 256-bit, 2 threads</c>.</summary>
    public string Description => $"cpu: {InstructionSet}, {(_width == SimdWidth.Scalar ? "scalar" : $"{VectorBits}-bit")}, {Threads} thread{(Threads == 1 ? string.Empty : "s")}";

    /// <inheritdoc/>
    internal override void UploadCore(ReadOnlySpan<float> source, Tensor destination) => source.CopyTo(SpanOf(destination));

    /// <inheritdoc/>
    internal override void DownloadCore(Tensor source, Span<float> destination) => SpanOf(source).CopyTo(destination);

    /// <summary>
    /// Serialises kernel calls: jobs and scratch buffers are shared, so a backend used from several threads runs one
    /// kernel at a time (as if it were one device queue).
    /// </summary>
    private Gate Enter()
    {
        Monitor.Enter(_sync);
        return new Gate(_sync);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        _pool.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Releases the kernel lock at the end of a <c>using</c> block.</summary>
    private readonly ref struct Gate
    {
        private readonly object _sync;

        public Gate(object sync) => _sync = sync;

        public void Dispose() => Monitor.Exit(_sync);
    }
}
