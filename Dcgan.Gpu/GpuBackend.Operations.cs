// The IBackend operations of GpuBackend: Backend (Dcgan.Core) has checked the arguments, including the convolution
// geometry that keeps every kernel index in range; these resolve device views and queue kernels from Kernels/ on the
// default stream.
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
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ChannelCopyArgs> _copyChannels = null!;
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
    private Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CrossEntropyArgs> _crossEntropyTerms = null!;

    /// <inheritdoc/>
    internal override unsafe void UploadCore(ReadOnlySpan<float> source, Tensor destination)
    {
        ArrayView<float> d = ViewOf(destination, nameof(destination));
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
    internal override unsafe void DownloadCore(Tensor source, Span<float> destination)
    {
        ArrayView<float> s = ViewOf(source, nameof(source));
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
    internal override void FillCore(Tensor tensor, float value)
    {
        ArrayView<float> y = ViewOf(tensor, nameof(tensor));
        if (tensor.Length > 0)
        {
            _fill(Config(tensor.Length), y, new ElementwiseArgs(tensor.Length, value, 0f));
        }
    }

    /// <inheritdoc/>
    internal override void CopyChannelsCore(Tensor source, int sourceChannel, Tensor destination, int destinationChannel, int channels)
    {
        ArrayView<float> s = ViewOf(source, nameof(source));
        ArrayView<float> d = ViewOf(destination, nameof(destination));
        int plane = source.Shape[2] * source.Shape[3];
        int block = channels * plane;
        int length = source.Shape[0] * block;
        _copyChannels(Config(length), s, d, new ChannelCopyArgs(length, block, source.Shape[1] * plane, sourceChannel * plane, destination.Shape[1] * plane, destinationChannel * plane));
    }

    /// <inheritdoc/>
    /// <remarks>Overlapping views of one buffer are copied through scratch memory, as <c>Span.CopyTo</c> allows overlap.</remarks>
    internal override void CopyCore(Tensor source, Tensor destination)
    {
        ArrayView<float> s = ViewOf(source, nameof(source));
        ArrayView<float> d = ViewOf(destination, nameof(destination));
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
    internal override void ConvForwardCore(in ConvGeometry g, Tensor input, Tensor weight, Tensor output)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> w = ViewOf(weight, nameof(weight));
        ArrayView<float> y = ViewOf(output, nameof(output));
        if (output.Length > 0)
        {
            _convForward(Config(output.Length), x, w, y, g);
        }
    }

    /// <inheritdoc/>
    internal override void ConvBackwardInputCore(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        ArrayView<float> dy = ViewOf(gradOutput, nameof(gradOutput));
        ArrayView<float> w = ViewOf(weight, nameof(weight));
        ArrayView<float> dx = ViewOf(gradInput, nameof(gradInput));
        if (gradInput.Length > 0)
        {
            _convBackwardInput(Config(gradInput.Length), dy, w, dx, g);
        }
    }

    /// <inheritdoc/>
    internal override void ConvBackwardWeightCore(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> dy = ViewOf(gradOutput, nameof(gradOutput));
        ArrayView<float> dw = ViewOf(gradWeight, nameof(gradWeight));
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
    internal override void AddChannelBiasCore(in BatchNormGeometry g, Tensor output, Tensor bias)
    {
        ArrayView<float> y = ViewOf(output, nameof(output));
        ArrayView<float> b = ViewOf(bias, nameof(bias));
        if (output.Length > 0)
        {
            _addChannelBias(Config(output.Length), y, b, new ChannelArgs(g.Batch, g.Channels, g.Spatial, 1, 0f));
        }
    }

    /// <inheritdoc/>
    internal override void SumPerChannelCore(in BatchNormGeometry g, Tensor gradOutput, Tensor gradBias)
    {
        ArrayView<float> dy = ViewOf(gradOutput, nameof(gradOutput));
        ArrayView<float> db = ViewOf(gradBias, nameof(gradBias));
        if (g.Channels == 0)
        {
            return;
        }

        ChannelArgs layout = Layout(g);
        ArrayView<float> partial = Scratch(layout.PartialCount);
        _channelSum(Config(layout.PartialCount), dy, partial, layout);
        _sumPartials(Config(g.Channels), partial, db, new SumPartialsArgs(g.Channels, layout.Chunks, layout.Chunks, 1));
    }

    /// <inheritdoc/>
    internal override void BatchNormForwardCore(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> gamma = ViewOf(weight, nameof(weight));
        ArrayView<float> beta = ViewOf(bias, nameof(bias));
        ArrayView<float> rm = ViewOf(runningMean, nameof(runningMean));
        ArrayView<float> rv = ViewOf(runningVar, nameof(runningVar));
        ArrayView<float> y = ViewOf(output, nameof(output));
        ArrayView<float> mean = ViewOf(saveMean, nameof(saveMean));
        ArrayView<float> invStd = ViewOf(saveInvStd, nameof(saveInvStd));
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
    internal override void BatchNormBackwardCore(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias)
    {
        ArrayView<float> dy = ViewOf(gradOutput, nameof(gradOutput));
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> gamma = ViewOf(weight, nameof(weight));
        ArrayView<float> mean = ViewOf(saveMean, nameof(saveMean));
        ArrayView<float> invStd = ViewOf(saveInvStd, nameof(saveInvStd));
        ArrayView<float> dx = ViewOf(gradInput, nameof(gradInput));
        ArrayView<float> dgamma = gradWeight is null ? default : ViewOf(gradWeight, nameof(gradWeight));
        ArrayView<float> dbeta = gradBias is null ? default : ViewOf(gradBias, nameof(gradBias));
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
    internal override void ActivationForwardCore(Activation f, Tensor input, Tensor output)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> y = ViewOf(output, nameof(output));
        if (input.Length > 0)
        {
            _activationForward(Config(input.Length), x, y, new ActivationArgs(input.Length, (int)f.Kind, f.NegativeSlope));
        }
    }

    /// <inheritdoc/>
    internal override void ActivationBackwardCore(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> y = ViewOf(output, nameof(output));
        ArrayView<float> dy = ViewOf(gradOutput, nameof(gradOutput));
        ArrayView<float> dx = ViewOf(gradInput, nameof(gradInput));
        if (input.Length > 0)
        {
            _activationBackward(Config(input.Length), x, y, dy, dx, new ActivationArgs(input.Length, (int)f.Kind, f.NegativeSlope));
        }
    }

    /// <inheritdoc/>
    internal override void DropoutForwardCore(Tensor input, float p, ulong seed, Tensor mask, Tensor output)
    {
        ArrayView<float> x = ViewOf(input, nameof(input));
        ArrayView<float> m = ViewOf(mask, nameof(mask));
        ArrayView<float> y = ViewOf(output, nameof(output));
        if (input.Length > 0)
        {
            _dropout(Config(input.Length), x, m, y, new DropoutArgs(input.Length, p, 1f / (1f - p), seed));
        }
    }

    /// <inheritdoc/>
    internal override void MultiplyCore(Tensor a, Tensor b, Tensor result)
    {
        ArrayView<float> x = ViewOf(a, nameof(a));
        ArrayView<float> y = ViewOf(b, nameof(b));
        ArrayView<float> r = ViewOf(result, nameof(result));
        if (a.Length > 0)
        {
            _multiply(Config(a.Length), x, y, r, new ElementwiseArgs(a.Length, 0f, 0f));
        }
    }

    /// <inheritdoc/>
    internal override void BCEWithLogitsCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        ArrayView<float> x = ViewOf(logits, nameof(logits));
        ArrayView<float> t = ViewOf(target, nameof(target));
        ArrayView<float> l = ViewOf(loss, nameof(loss));
        ArrayView<float> dx = gradInput is null ? default : ViewOf(gradInput, nameof(gradInput));
        int n = logits.Length;
        int chunks = (int)Math.Max(1, ((long)n + ReductionChunkLength - 1) / ReductionChunkLength);
        var args = new BceArgs(n, chunks, n, gradInput is null ? 0 : 1);
        ArrayView<float> partial = Scratch(chunks);
        _bceTerms(Config(chunks), x, t, dx, partial, args);
        _bceFinish(Config(1), partial, l, args);
    }

    /// <inheritdoc/>
    internal override void CrossEntropyCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        ArrayView<float> x = ViewOf(logits, nameof(logits));
        ArrayView<float> t = ViewOf(target, nameof(target));
        ArrayView<float> l = ViewOf(loss, nameof(loss));
        ArrayView<float> dx = gradInput is null ? default : ViewOf(gradInput, nameof(gradInput));
        int rows = target.Length;
        int chunks = (int)Math.Max(1, ((long)rows + ReductionChunkLength - 1) / ReductionChunkLength);
        var args = new CrossEntropyArgs(rows, logits.Length / rows, chunks, rows, gradInput is null ? 0 : 1);
        ArrayView<float> partial = Scratch(chunks);
        _crossEntropyTerms(Config(chunks), x, t, dx, partial, args);
        _bceFinish(Config(1), partial, l, new BceArgs(rows, chunks, rows, 0));
    }

    /// <inheritdoc/>
    internal override void AdamStepCore(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        ArrayView<float> w = ViewOf(param, nameof(param));
        ArrayView<float> g = ViewOf(grad, nameof(grad));
        ArrayView<float> m = ViewOf(expAvg, nameof(expAvg));
        ArrayView<float> v = ViewOf(expAvgSq, nameof(expAvgSq));
        if (param.Length == 0)
        {
            return;
        }

        var args = new AdamArgs(
            param.Length, (float)p.Beta1, (float)p.Beta2, (float)p.OneMinusBeta1, (float)p.OneMinusBeta2, (float)p.Eps, (float)p.WeightDecay,
            (float)(p.LearningRate / p.BiasCorrection1), (float)Math.Sqrt(p.BiasCorrection2));
        _adam(Config(param.Length), w, g, m, v, args);
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
        _copyChannels = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ChannelCopyArgs>(DeviceKernels.CopyChannelsKernel));
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
        _crossEntropyTerms = Count(a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, CrossEntropyArgs>(DeviceKernels.CrossEntropyTermsKernel));
    }

    private T Count<T>(T kernel)
    {
        LoadedKernelCount++;
        return kernel;
    }
}
