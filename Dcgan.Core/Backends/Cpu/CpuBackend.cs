// The CPU backend: float32 tensors in host arrays; convolutions as packed, register-blocked implicit GEMMs
// (one FMA micro-kernel, generic over the vector width), vectorised BatchNorm, activations, dropout and Adam, all on one worker pool
// with a fixed chunking, so results are bit-identical for any thread count. Arguments are checked by Backend before a
// kernel runs. HostBackend's loops are the oracle; the operations with no fast kernel (fill, copy, BCEWithLogits, CrossEntropy) run them.
namespace Dcgan.Backends.Cpu;

using Dcgan.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

/// <summary>
/// The CPU backend: float32 NCHW tensors in managed arrays. Convolutions and Linear layers run as packed,
/// cache-blocked GEMMs with one register-tiled FMA micro-kernel written once for every vector width (6×64 with
/// AVX-512F, 6×16 with AVX2+FMA and on ARM64 AdvSimd, 6×8 with x86 SSE, scalar as the last resort; the widest the
/// machine has is picked at start-up, see <see cref="InstructionSet"/>), skipping the taps that fall on padding and
/// the structural zeros of strided transposed convolutions; BatchNorm, activations, dropout and Adam are vectorised
/// at the same width (Sigmoid through <see cref="TensorPrimitives"/>). Work is split into a fixed number of chunks that does not depend on the
/// thread count and partial sums are combined in a fixed order, so results are bit-identical for any thread
/// count. Scratch memory is allocated once and reused: after the first training step nothing is allocated.
/// Calls from several threads are safe and run one kernel at a time. Dispose the backend to stop its worker threads.
/// Arguments are checked by <see cref="Backend"/> (the same checks and messages as every other backend).
/// </summary>
public sealed unsafe partial class CpuBackend : Backend
{
    // The reference loops, for the operations that have no fast kernel (composition, not inheritance: the fast backend is
    // not a reference backend); it also owns the thread-count rule.
    private readonly ReferenceBackend _reference;
    private readonly WorkerPool _pool;
    private readonly SimdWidth _width;
    private readonly WorkerScratch[] _scratch;
    private readonly PinnedBuffer _layoutA = new();
    private readonly PinnedBuffer _layoutB = new();
    private readonly PinnedBuffer _packedWeights = new();
    private readonly PinnedBuffer _accumulator = new();
    private readonly HostMemory _memory = new();
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
    {
        _reference = new ReferenceBackend(threads);
        Threads = _reference.Threads;
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

    /// <summary>The number of threads that run kernel chunks (the calling thread included).</summary>
    public int Threads { get; }

    /// <summary>The vector width the kernels compute with.</summary>
    internal SimdWidth Width => _width;

    /// <summary>
    /// The instruction set the kernels use, chosen once at start-up: <c>AVX-512F</c>, <c>AVX2+FMA</c>, <c>AdvSimd</c>
    /// (ARM64 NEON), <c>SSE+FMA</c>, <c>SSE (no FMA)</c> or <c>scalar</c>. The runtime's switches lower it (<c>DOTNET_EnableAVX512=0</c>,
    /// <c>DOTNET_EnableAVX2=0</c>).
    /// </summary>
    public string InstructionSet => SimdWidths.InstructionSet(_width);

    /// <summary>The vector width in bits: 512, 256, 128, or 32 when scalar.</summary>
    public int VectorBits => (int)_width;

    /// <summary>A one-line description for logs, e.g. <c>cpu: AVX2+FMA, 256-bit, 2 threads</c> (<c>cpu: scalar, 1 thread</c>).</summary>
    public string Description =>
        $"cpu: {InstructionSet}{(_width == SimdWidth.Scalar ? string.Empty : $", {VectorBits}-bit")}, {Threads} thread{(Threads == 1 ? string.Empty : "s")}";

    /// <summary>The elements of a tensor of this backend, in row-major order, without copying.</summary>
    /// <param name="tensor">A tensor allocated by this backend, or a view of one.</param>
    /// <returns>The <see cref="Tensor.Length"/> elements from <see cref="Tensor.Offset"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException">The tensor belongs to another backend.</exception>
    /// <exception cref="ObjectDisposedException">The backend or the tensor was disposed.</exception>
    public Span<float> GetSpan(Tensor tensor)
    {
        ThrowIfDisposed();
        CheckTensor(tensor, nameof(tensor));
        return SpanOf(tensor);
    }

    /// <inheritdoc/>
    internal override Tensor AllocateCore(TensorShape shape)
    {
        _memory.Allocated((long)shape.ElementCount * sizeof(float));
        return new(this, new float[shape.ElementCount], 0, shape, ownsStorage: true);
    }

    /// <inheritdoc/>
    internal override void ReleaseCore(Tensor tensor) => _memory.Released((long)((float[])tensor.Storage).Length * sizeof(float));

    /// <inheritdoc/>
    internal override void UploadCore(ReadOnlySpan<float> source, Tensor destination) => source.CopyTo(SpanOf(destination));

    /// <inheritdoc/>
    internal override void DownloadCore(Tensor source, Span<float> destination) => SpanOf(source).CopyTo(destination);

    // The operations without a fast kernel run the reference loops on this backend's arrays (Backend checked the call).

    /// <inheritdoc/>
    internal override void FillCore(Tensor tensor, float value) => _reference.FillCore(tensor, value);

    /// <inheritdoc/>
    internal override void CopyCore(Tensor source, Tensor destination) => _reference.CopyCore(source, destination);

    /// <inheritdoc/>
    internal override void CopyChannelsCore(Tensor source, int sourceChannel, Tensor destination, int destinationChannel, int channels) =>
        _reference.CopyChannelsCore(source, sourceChannel, destination, destinationChannel, channels);

    /// <inheritdoc/>
    internal override void BCEWithLogitsCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput) =>
        _reference.BCEWithLogitsCore(logits, target, loss, gradInput);

    /// <inheritdoc/>
    internal override void CrossEntropyCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput) =>
        _reference.CrossEntropyCore(logits, target, loss, gradInput);

    /// <summary>The elements of a tensor (checked by <see cref="Backend"/>); the span's bounds check proves the view lies in its array.</summary>
    private static Span<float> SpanOf(Tensor tensor) => HostBackend<float>.SpanOf(tensor);

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
        _reference.Dispose();
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
