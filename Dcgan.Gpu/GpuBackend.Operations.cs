// The IBackend operations of GpuBackend: validate on the host (HostBackend's checks and messages, plus what makes
// every kernel index provably in range), then queue kernels from Kernels/ on the default stream.
namespace Dcgan.Gpu;

using Dcgan.Backends;
using Dcgan.Gpu.Kernels;
using Dcgan.Tensors;
using ILGPU;
using ILGPU.Runtime;

/// <content>Kernel loading and the tensor operations.</content>
public sealed partial class GpuBackend
{
    private Action<KernelConfig, ArrayView<float>, ElementwiseArgs> _fill = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ElementwiseArgs> _copy = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ChannelArgs> _addChannelBias = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ActivationArgs> _activationForward = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ActivationArgs> _activationBackward = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, DropoutArgs> _dropout = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ElementwiseArgs> _multiply = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs> _adam = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _convForward = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry> _convBackwardInput = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvWeightArgs> _convBackwardWeight = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, SumPartialsArgs> _sumPartials = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ChannelArgs> _channelSum = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelArgs> _channelSquares = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ChannelArgs> _batchNormMean = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> _batchNormVariance = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> _batchNormEvalStats = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelArgs> _batchNormNormalize = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelArgs> _batchNormBackwardPartial = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> _batchNormBackwardReduce = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs> _batchNormBackwardInput = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BceArgs> _bceTerms = null!;
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, BceArgs> _bceFinish = null!;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The lengths differ or the tensor belongs to another backend.</exception>
    public unsafe void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        ArrayView<float> d = ViewOf(destination, nameof(destination));
        CheckLength(source.Length, destination.Length, nameof(source));
        if (source.Length == 0)
        {
            return;
        }

        fixed (float* p = source)
        {
            d.CopyFromCPU(_stream, ref *p, source.Length);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The lengths differ or the tensor belongs to another backend.</exception>
    public unsafe void Download(Tensor source, Span<float> destination)
    {
        ArrayView<float> s = ViewOf(source, nameof(source));
        CheckLength(destination.Length, source.Length, nameof(destination));
        if (destination.Length == 0)
        {
            return;
        }

        fixed (float* p = destination)
        {
            s.CopyToCPU(_stream, ref *p, destination.Length);
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, float value)
    {
        ArrayView<float> y = ViewOf(tensor, nameof(tensor));
        if (tensor.Length > 0)
        {
            _fill(Config(tensor.Length), y, new ElementwiseArgs(tensor.Length, value, 0f));
        }
    }

    /// <inheritdoc/>
    /// <remarks>Overlapping views of one buffer are copied through scratch memory, as <c>Span.CopyTo</c> allows overlap.</remarks>
    public void Copy(Tensor source, Tensor destination)
    {
        ArrayView<float> s = ViewOf(source, nameof(source));
        ArrayView<float> d = ViewOf(destination, nameof(destination));
        CheckLength(source.Length, destination.Length, nameof(source));
        int n = source.Length;
        if (n == 0)
        {
            return;
        }

        bool sameBuffer = ReferenceEquals(source.Storage, destination.Storage);
        if (sameBuffer && source.Offset == destination.Offset)
        {
            return;
        }

        var args = new ElementwiseArgs(n, 0f, 0f);
        if (sameBuffer && source.Offset < destination.Offset + n && destination.Offset < source.Offset + n)
        {
            ArrayView<float> staging = Scratch(n);
            _copy(Config(n), s, staging, args);
            _copy(Config(n), staging, d, args);
            return;
        }

        _copy(Config(n), s, d, args);
    }

    /// <inheritdoc/>
    public void ConvForward(in ConvGeometry g, Tensor input, Tensor weight, Tensor output)
    {
        CheckConvGeometry(g);
        ArrayView<float> x = ViewOf(input, g.InputShape, nameof(input));
        ArrayView<float> w = ViewOf(weight, g.WeightShape, nameof(weight));
        ArrayView<float> y = ViewOf(output, g.OutputShape, nameof(output));
        if (output.Length > 0)
        {
            _convForward(Config(output.Length), x, w, y, g);
        }
    }

    /// <inheritdoc/>
    public void ConvBackwardInput(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        CheckConvGeometry(g);
        ArrayView<float> dy = ViewOf(gradOutput, g.OutputShape, nameof(gradOutput));
        ArrayView<float> w = ViewOf(weight, g.WeightShape, nameof(weight));
        ArrayView<float> dx = ViewOf(gradInput, g.InputShape, nameof(gradInput));
        if (gradInput.Length > 0)
        {
            _convBackwardInput(Config(gradInput.Length), dy, w, dx, g);
        }
    }

    /// <inheritdoc/>
    public void ConvBackwardWeight(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight)
    {
        CheckConvGeometry(g);
        ArrayView<float> x = ViewOf(input, g.InputShape, nameof(input));
        ArrayView<float> dy = ViewOf(gradOutput, g.OutputShape, nameof(gradOutput));
        ArrayView<float> dw = ViewOf(gradWeight, g.WeightShape, nameof(gradWeight));
        int weights = gradWeight.Length;
        if (weights == 0)
        {
            return;
        }

        // Split the batch into ranges so that ranges × weights fills the device; the split depends only on the
        // geometry and the device, and the ranges are added in order, so the result does not vary between runs.
        int chunks = 1;
        int perChunk = Math.Max(g.Batch, 1);
        if (g.Batch > 1)
        {
            long wanted = ((long)WeightGradTargetThreads + weights - 1) / weights;
            chunks = (int)Math.Clamp(wanted, 1, g.Batch);
            perChunk = (g.Batch + chunks - 1) / chunks;
            chunks = (g.Batch + perChunk - 1) / perChunk;
        }

        var args = new ConvWeightArgs(g, chunks, perChunk);
        if (chunks == 1)
        {
            _convBackwardWeight(Config(weights), x, dy, dw, default, args);
            return;
        }

        ArrayView<float> partial = Scratch((long)chunks * weights);
        _convBackwardWeight(Config((long)chunks * weights), x, dy, dw, partial, args);
        _sumPartials(Config(weights), partial, dw, new SumPartialsArgs(weights, chunks, 1, weights));
    }

    /// <inheritdoc/>
    public void AddChannelBias(Tensor output, Tensor bias)
    {
        BatchNormGeometry bg = BatchNormGeometry.FromShape(output.Shape);
        ArrayView<float> b = ViewOf(bias, new TensorShape(bg.Channels), nameof(bias));
        ArrayView<float> y = ViewOf(output, nameof(output));
        if (output.Length > 0)
        {
            _addChannelBias(Config(output.Length), y, b, new ChannelArgs(bg.Batch, bg.Channels, bg.Spatial, 1, 0f));
        }
    }

    /// <inheritdoc/>
    public void SumPerChannel(Tensor gradOutput, Tensor gradBias)
    {
        BatchNormGeometry bg = BatchNormGeometry.FromShape(gradOutput.Shape);
        ArrayView<float> db = ViewOf(gradBias, new TensorShape(bg.Channels), nameof(gradBias));
        ArrayView<float> dy = ViewOf(gradOutput, nameof(gradOutput));
        if (bg.Channels == 0)
        {
            return;
        }

        ChannelArgs layout = Layout(bg);
        ArrayView<float> partial = Scratch(layout.PartialCount);
        _channelSum(Config(layout.PartialCount), dy, partial, layout);
        _sumPartials(Config(bg.Channels), partial, db, new SumPartialsArgs(bg.Channels, layout.Chunks, layout.Chunks, 1));
    }

    /// <inheritdoc/>
    public void BatchNormForward(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd)
    {
        CheckBatchNormInput(g, input);
        var channels = new TensorShape(g.Channels);
        ArrayView<float> gamma = ViewOf(weight, channels, nameof(weight));
        ArrayView<float> beta = ViewOf(bias, channels, nameof(bias));
        ArrayView<float> rm = ViewOf(runningMean, channels, nameof(runningMean));
        ArrayView<float> rv = ViewOf(runningVar, channels, nameof(runningVar));
        ArrayView<float> mean = ViewOf(saveMean, channels, nameof(saveMean));
        ArrayView<float> invStd = ViewOf(saveInvStd, channels, nameof(saveInvStd));
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> y = ViewOf(output, input.Shape, nameof(output));
        if (training && g.ValuesPerChannel < 2)
        {
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input size {input.Shape}.", nameof(input));
        }

        if (g.Channels == 0)
        {
            return;
        }

        ChannelArgs layout = Layout(g);
        var args = new BatchNormArgs(layout, momentum, eps, training ? 1 : 0, 0, 0);
        if (training)
        {
            ArrayView<float> partial = Scratch(layout.PartialCount);
            _channelSum(Config(layout.PartialCount), x, partial, layout);
            _batchNormMean(Config(g.Channels), partial, mean, layout);
            _channelSquares(Config(layout.PartialCount), x, mean, partial, layout);
            _batchNormVariance(Config(g.Channels), partial, mean, invStd, rm, rv, args);
        }
        else
        {
            _batchNormEvalStats(Config(g.Channels), rm, rv, mean, invStd, args);
        }

        if (input.Length > 0)
        {
            _batchNormNormalize(Config(input.Length), x, gamma, beta, mean, invStd, y, layout);
        }
    }

    /// <inheritdoc/>
    public void BatchNormBackward(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias)
    {
        CheckBatchNormInput(g, input);
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> dy = ViewOf(gradOutput, input.Shape, nameof(gradOutput));
        ArrayView<float> dx = ViewOf(gradInput, input.Shape, nameof(gradInput));
        var channels = new TensorShape(g.Channels);
        ArrayView<float> gamma = ViewOf(weight, channels, nameof(weight));
        ArrayView<float> mean = ViewOf(saveMean, channels, nameof(saveMean));
        ArrayView<float> invStd = ViewOf(saveInvStd, channels, nameof(saveInvStd));
        ArrayView<float> dgamma = gradWeight is null ? default : ViewOf(gradWeight, channels, nameof(gradWeight));
        ArrayView<float> dbeta = gradBias is null ? default : ViewOf(gradBias, channels, nameof(gradBias));
        if (g.Channels == 0)
        {
            return;
        }

        ChannelArgs layout = Layout(g);
        var args = new BatchNormArgs(layout, 0f, 0f, training ? 1 : 0, gradWeight is null ? 0 : 1, gradBias is null ? 0 : 1);
        ArrayView<float> scratch = Scratch((2L * layout.PartialCount) + (2L * g.Channels));
        ArrayView<float> partial = scratch.SubView(0, 2L * layout.PartialCount);
        ArrayView<float> stats = scratch.SubView(2L * layout.PartialCount, 2L * g.Channels);
        _batchNormBackwardPartial(Config(layout.PartialCount), dy, x, mean, invStd, partial, layout);
        _batchNormBackwardReduce(Config(g.Channels), partial, dgamma, dbeta, stats, args);
        if (input.Length > 0)
        {
            _batchNormBackwardInput(Config(input.Length), dy, x, gamma, mean, invStd, stats, dx, args);
        }
    }

    /// <inheritdoc/>
    public void ActivationForward(Activation f, Tensor input, Tensor output)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> y = ViewOf(output, input.Length, nameof(output));
        CheckActivation(f);
        if (input.Length > 0)
        {
            _activationForward(Config(input.Length), x, y, new ActivationArgs(input.Length, (int)f.Kind, f.NegativeSlope));
        }
    }

    /// <inheritdoc/>
    public void ActivationBackward(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> y = ViewOf(output, input.Length, nameof(output));
        ArrayView<float> dy = ViewOf(gradOutput, input.Length, nameof(gradOutput));
        ArrayView<float> dx = ViewOf(gradInput, input.Length, nameof(gradInput));
        CheckActivation(f);
        if (input.Length > 0)
        {
            _activationBackward(Config(input.Length), x, y, dy, dx, new ActivationArgs(input.Length, (int)f.Kind, f.NegativeSlope));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
    public void DropoutForward(Tensor input, float p, ulong seed, Tensor mask, Tensor output)
    {
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        }

        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> m = ViewOf(mask, input.Length, nameof(mask));
        ArrayView<float> y = ViewOf(output, input.Length, nameof(output));
        if (input.Length > 0)
        {
            _dropout(Config(input.Length), x, m, y, new DropoutArgs(input.Length, p, 1f / (1f - p), seed));
        }
    }

    /// <inheritdoc/>
    public void Multiply(Tensor a, Tensor b, Tensor result)
    {
        ArrayView<float> x = ViewOf(a, nameof(a));
        ArrayView<float> y = ViewOf(b, a.Length, nameof(b));
        ArrayView<float> r = ViewOf(result, a.Length, nameof(result));
        if (a.Length > 0)
        {
            _multiply(Config(a.Length), x, y, r, new ElementwiseArgs(a.Length, 0f, 0f));
        }
    }

    /// <inheritdoc/>
    public void BCEWithLogits(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        ArrayView<float> x = ViewOf(logits, nameof(logits));
        ArrayView<float> t = ViewOf(target, logits.Length, nameof(target));
        ArrayView<float> l = ViewOf(loss, 1, nameof(loss));
        if (logits.Length == 0)
        {
            throw new ArgumentException("BCEWithLogits needs at least one logit.", nameof(logits));
        }

        ArrayView<float> dx = gradInput is null ? default : ViewOf(gradInput, logits.Length, nameof(gradInput));
        int n = logits.Length;
        int chunks = (int)Math.Max(1, ((long)n + ReductionChunkLength - 1) / ReductionChunkLength);
        var args = new BceArgs(n, chunks, n, gradInput is null ? 0 : 1);
        ArrayView<float> partial = Scratch(chunks);
        _bceTerms(Config(chunks), x, t, dx, partial, args);
        _bceFinish(Config(1), partial, l, args);
    }

    /// <inheritdoc/>
    public void AdamStep(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        ArrayView<float> w = ViewOf(param, nameof(param));
        ArrayView<float> g = ViewOf(grad, param.Length, nameof(grad));
        ArrayView<float> m = ViewOf(expAvg, param.Length, nameof(expAvg));
        ArrayView<float> v = ViewOf(expAvgSq, param.Length, nameof(expAvgSq));
        if (param.Length == 0)
        {
            return;
        }

        var args = new AdamArgs(
            param.Length, (float)p.Beta1, (float)p.Beta2, (float)p.OneMinusBeta1, (float)p.OneMinusBeta2, (float)p.Eps, (float)p.WeightDecay,
            (float)(p.LearningRate / p.BiasCorrection1), (float)Math.Sqrt(p.BiasCorrection2));
        _adam(Config(param.Length), w, g, m, v, args);
    }

    /// <summary>Throws unless the kernels' index arithmetic is safe for <paramref name="g"/>.</summary>
    /// <exception cref="ArgumentException">Stride, padding or kernel size out of range, or positions overflow int.</exception>
    private static void CheckConvGeometry(in ConvGeometry g)
    {
        if (g.KernelSize < 1 || g.Stride < 1 || g.Padding < 0)
        {
            throw new ArgumentException(
                $"Convolution with kernel_size {g.KernelSize}, stride {g.Stride}, padding {g.Padding}: kernel_size and stride must be >= 1 and padding >= 0.",
                nameof(g));
        }

        long reachH = ((long)g.OutHeight * g.Stride) + g.KernelSize + g.InHeight + g.Padding;
        long reachW = ((long)g.OutWidth * g.Stride) + g.KernelSize + g.InWidth + g.Padding;
        if (reachH > int.MaxValue || reachW > int.MaxValue)
        {
            throw new ArgumentException($"Convolution geometry {g} has positions beyond the 32-bit range.", nameof(g));
        }
    }

    /// <summary>Throws unless <paramref name="input"/>'s shape is described by <paramref name="g"/>.</summary>
    private static void CheckBatchNormInput(in BatchNormGeometry g, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        BatchNormGeometry actual = BatchNormGeometry.FromShape(input.Shape);
        if (actual != g)
        {
            throw new ArgumentException($"input has shape {input.Shape}; expected {g}.", nameof(input));
        }
    }

    /// <summary>Throws for an undefined activation kind, as the CPU backend does.</summary>
    private static void CheckActivation(Activation f)
    {
        if (f.Kind is not (ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.Tanh or ActivationKind.Sigmoid))
        {
            throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "Unknown activation.");
        }
    }

    /// <summary>The reduction layout of a BatchNorm-shaped tensor: ⌈values per channel / chunk length⌉ partials per channel.</summary>
    private ChannelArgs Layout(in BatchNormGeometry g)
    {
        int values = g.ValuesPerChannel;
        int chunks = (int)Math.Max(1, ((long)values + ReductionChunkLength - 1) / ReductionChunkLength);
        return new ChannelArgs(g.Batch, g.Channels, g.Spatial, chunks, values);
    }

    /// <summary>Compiles every kernel of <see cref="DeviceKernels"/> for this accelerator, once.</summary>
    private void LoadKernels()
    {
        Accelerator a = _accelerator;
        _fill = Count(a.LoadStreamKernel<ArrayView<float>, ElementwiseArgs>(DeviceKernels.FillKernel));
        _copy = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ElementwiseArgs>(DeviceKernels.CopyKernel));
        _addChannelBias = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ChannelArgs>(DeviceKernels.AddChannelBiasKernel));
        _activationForward = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ActivationArgs>(DeviceKernels.ActivationForwardKernel));
        _activationBackward = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ActivationArgs>(DeviceKernels.ActivationBackwardKernel));
        _dropout = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, DropoutArgs>(DeviceKernels.DropoutKernel));
        _multiply = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ElementwiseArgs>(DeviceKernels.MultiplyKernel));
        _adam = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamArgs>(DeviceKernels.AdamKernel));
        _convForward = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>(DeviceKernels.ConvForwardKernel));
        _convBackwardInput = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvGeometry>(DeviceKernels.ConvBackwardInputKernel));
        _convBackwardWeight = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ConvWeightArgs>(DeviceKernels.ConvBackwardWeightKernel));
        _sumPartials = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, SumPartialsArgs>(DeviceKernels.SumPartialsKernel));
        _channelSum = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ChannelArgs>(DeviceKernels.ChannelSumKernel));
        _channelSquares = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelArgs>(DeviceKernels.ChannelSquaresKernel));
        _batchNormMean = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ChannelArgs>(DeviceKernels.BatchNormMeanKernel));
        _batchNormVariance = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(DeviceKernels.BatchNormVarianceKernel));
        _batchNormEvalStats = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(DeviceKernels.BatchNormEvalStatsKernel));
        _batchNormNormalize = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelArgs>(DeviceKernels.BatchNormNormalizeKernel));
        _batchNormBackwardPartial = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ChannelArgs>(DeviceKernels.BatchNormBackwardPartialKernel));
        _batchNormBackwardReduce = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(DeviceKernels.BatchNormBackwardReduceKernel));
        _batchNormBackwardInput = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BatchNormArgs>(DeviceKernels.BatchNormBackwardInputKernel));
        _bceTerms = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, BceArgs>(DeviceKernels.BceTermsKernel));
        _bceFinish = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, BceArgs>(DeviceKernels.BceFinishKernel));
    }

    private T Count<T>(T kernel)
    {
        LoadedKernelCount++;
        return kernel;
    }
}
