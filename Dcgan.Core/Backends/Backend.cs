// The one place the IBackend contract is checked. Every public operation validates its arguments here (the backend is
// alive; each tensor is not null, belongs to this backend and is not disposed; shapes, lengths and the geometry agree;
// scalars are in range), then calls the backend's kernel, a *Core method that only computes. The reference, CPU and
// ILGPU backends all derive from this class, so each check is written once and reads the same on every device.
namespace Dcgan.Backends;

using Dcgan.Tensors;

/// <summary>
/// The base class of this library's backends (<see cref="Cpu.CpuBackend"/>, <see cref="Cpu.Float64Backend"/>, the
/// reference loops and the ILGPU backend in Dcgan.Gpu). Each public <see cref="IBackend"/> operation checks its
/// arguments here, before any kernel runs, and then calls the derived backend's kernel: every device rejects a bad
/// call with the same exception type and the same message, which names the argument, its value and what was expected.
/// <para>
/// The checks, in order: the backend was not disposed (<see cref="ObjectDisposedException"/>); then, argument by
/// argument in parameter order (a BatchNorm input first, since it anchors the geometry): a tensor is not null
/// (<see cref="ArgumentNullException"/>), belongs to this backend (<see cref="ArgumentException"/>), was not disposed
/// (<see cref="ObjectDisposedException"/>) and has the shape or length the operation needs
/// (<see cref="ArgumentException"/>); a scalar is in range (<see cref="ArgumentOutOfRangeException"/>). A convolution's
/// geometry is checked for consistency before its tensors. The checks allocate nothing unless they throw.
/// </para>
/// </summary>
public abstract class Backend : IBackend
{
    private bool _disposed;

    /// <summary>Creates the backend; only the backends of this library derive from this class.</summary>
    private protected Backend()
    {
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>Whether <see cref="Dispose()"/> was called.</summary>
    private protected bool IsDisposed => _disposed;

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public Tensor Allocate(TensorShape shape)
    {
        ThrowIfDisposed();
        return AllocateCore(shape);
    }

    /// <inheritdoc/>
    /// <remarks>Does nothing once the backend is disposed (its memory was freed with it).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tensor"/> belongs to another backend.</exception>
    public void Release(Tensor tensor)
    {
        // Not CheckTensor: Tensor.Dispose marks the tensor disposed before it releases the memory.
        CheckOwner(tensor, nameof(tensor));
        if (!_disposed)
        {
            ReleaseCore(tensor);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or <paramref name="destination"/> was disposed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> belongs to another backend, or
    /// <paramref name="source"/>'s length is not <c>destination.Length</c>.</exception>
    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        ThrowIfDisposed();
        CheckTensor(destination, nameof(destination));
        CheckLength(source.Length, destination.Length, nameof(source));
        UploadCore(source, destination);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or <paramref name="source"/> was disposed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> belongs to another backend, or
    /// <paramref name="destination"/>'s length is not <c>source.Length</c>.</exception>
    public void Download(Tensor source, Span<float> destination)
    {
        ThrowIfDisposed();
        CheckTensor(source, nameof(source));
        CheckLength(destination.Length, source.Length, nameof(destination));
        DownloadCore(source, destination);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or <paramref name="tensor"/> was disposed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="tensor"/> belongs to another backend.</exception>
    public void Fill(Tensor tensor, float value)
    {
        ThrowIfDisposed();
        CheckTensor(tensor, nameof(tensor));
        FillCore(tensor, value);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or the lengths differ.</exception>
    public void Copy(Tensor source, Tensor destination)
    {
        ThrowIfDisposed();
        CheckTensor(source, nameof(source));
        CheckTensor(destination, nameof(destination));
        CheckLength(source.Length, destination.Length, nameof(source));
        CopyCore(source, destination);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend or is not of rank 4, the tensors differ in N, H
    /// or W, the two are the same tensor, or a channel range lies outside its tensor.</exception>
    public void CopyChannels(Tensor source, int sourceChannel, Tensor destination, int destinationChannel, int channels)
    {
        ThrowIfDisposed();
        CheckTensor(source, nameof(source));
        CheckTensor(destination, nameof(destination));
        TensorShape s = source.Shape, d = destination.Shape;
        if (s.Rank != 4 || d.Rank != 4 || s[0] != d[0] || s[2] != d[2] || s[3] != d[3])
        {
            throw new ArgumentException($"CopyChannels needs two [N, C, H, W] tensors with the same N, H and W; got {s} and {d}.", nameof(destination));
        }

        if (ReferenceEquals(source.Storage, destination.Storage))
        {
            throw new ArgumentException("CopyChannels copies between two different tensors; source and destination share storage.", nameof(destination));
        }

        if (channels < 0 || sourceChannel < 0 || destinationChannel < 0 || sourceChannel + channels > s[1] || destinationChannel + channels > d[1])
        {
            throw new ArgumentException(
                $"CopyChannels: channels [{sourceChannel}, {sourceChannel + channels}) of {s} into [{destinationChannel}, {destinationChannel + channels}) of {d} lie outside a tensor.", nameof(channels));
        }

        if (channels > 0 && s[0] > 0)
        {
            CopyChannelsCore(source, sourceChannel, destination, destinationChannel, channels);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is not a valid convolution (see
    /// <see cref="ConvGeometry.ForConv2d"/>), or a tensor belongs to another backend, or input is not
    /// <c>g.InputShape</c> <c>[N, Ci, Hi, Wi]</c>, weight not <c>g.WeightShape</c> <c>[Co, Ci, k, k]</c>, output not
    /// <c>g.OutputShape</c> <c>[N, Co, Ho, Wo]</c>.</exception>
    public void ConvForward(in ConvGeometry g, Tensor input, Tensor weight, Tensor output)
    {
        ThrowIfDisposed();
        CheckGeometry(g);
        CheckInputShape(g, input, nameof(input));
        CheckWeightShape(g, weight, nameof(weight));
        CheckOutputShape(g, output, nameof(output));
        ConvForwardCore(g, input, weight, output);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is not a valid convolution, or a tensor belongs to
    /// another backend, or gradOutput is not <c>g.OutputShape</c>, weight not <c>g.WeightShape</c>, gradInput not
    /// <c>g.InputShape</c>.</exception>
    public void ConvBackwardInput(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput)
    {
        ThrowIfDisposed();
        CheckGeometry(g);
        CheckOutputShape(g, gradOutput, nameof(gradOutput));
        CheckWeightShape(g, weight, nameof(weight));
        CheckInputShape(g, gradInput, nameof(gradInput));
        ConvBackwardInputCore(g, gradOutput, weight, gradInput);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="g"/> is not a valid convolution, or a tensor belongs to
    /// another backend, or input is not <c>g.InputShape</c>, gradOutput not <c>g.OutputShape</c>, gradWeight not
    /// <c>g.WeightShape</c>.</exception>
    public void ConvBackwardWeight(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight)
    {
        ThrowIfDisposed();
        CheckGeometry(g);
        CheckInputShape(g, input, nameof(input));
        CheckOutputShape(g, gradOutput, nameof(gradOutput));
        CheckWeightShape(g, gradWeight, nameof(gradWeight));
        ConvBackwardWeightCore(g, input, gradOutput, gradWeight);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or output's rank is not 2, 3 or 4, or
    /// bias is not <c>[C]</c> for output's channel count C.</exception>
    public void AddChannelBias(Tensor output, Tensor bias)
    {
        ThrowIfDisposed();
        BatchNormGeometry g = ChannelGeometry(output, nameof(output));
        CheckChannels(bias, g.Channels, nameof(bias));
        AddChannelBiasCore(g, output, bias);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or gradOutput's rank is not 2, 3 or 4,
    /// or gradBias is not <c>[C]</c> for gradOutput's channel count C.</exception>
    public void SumPerChannel(Tensor gradOutput, Tensor gradBias)
    {
        ThrowIfDisposed();
        BatchNormGeometry g = ChannelGeometry(gradOutput, nameof(gradOutput));
        CheckChannels(gradBias, g.Channels, nameof(gradBias));
        SumPerChannelCore(g, gradOutput, gradBias);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend; or input is not described by
    /// <paramref name="g"/>; or <paramref name="training"/> with a single value per channel (N·S = 1, as PyTorch);
    /// or weight, bias, runningMean, runningVar, saveMean or saveInvStd is not <c>[C]</c>; or output's shape is not
    /// input's.</exception>
    public void BatchNormForward(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd)
    {
        ThrowIfDisposed();
        CheckBatchNormInput(g, input);
        if (training && g.ValuesPerChannel < 2)
        {
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input size {input.Shape}.", nameof(input));
        }

        CheckChannels(weight, g.Channels, nameof(weight));
        CheckChannels(bias, g.Channels, nameof(bias));
        CheckChannels(runningMean, g.Channels, nameof(runningMean));
        CheckChannels(runningVar, g.Channels, nameof(runningVar));
        CheckSameShape(output, input, nameof(output));
        CheckChannels(saveMean, g.Channels, nameof(saveMean));
        CheckChannels(saveInvStd, g.Channels, nameof(saveInvStd));
        BatchNormForwardCore(g, input, weight, bias, runningMean, runningVar, training, momentum, eps, output, saveMean, saveInvStd);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor other than gradWeight and gradBias is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend; or input is not described by
    /// <paramref name="g"/>; or gradOutput's or gradInput's shape is not input's; or weight, saveMean, saveInvStd,
    /// gradWeight or gradBias (when given) is not <c>[C]</c>.</exception>
    public void BatchNormBackward(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias)
    {
        ThrowIfDisposed();
        CheckBatchNormInput(g, input);
        CheckSameShape(gradOutput, input, nameof(gradOutput));
        CheckChannels(weight, g.Channels, nameof(weight));
        CheckChannels(saveMean, g.Channels, nameof(saveMean));
        CheckChannels(saveInvStd, g.Channels, nameof(saveInvStd));
        CheckSameShape(gradInput, input, nameof(gradInput));
        if (gradWeight is not null)
        {
            CheckChannels(gradWeight, g.Channels, nameof(gradWeight));
        }

        if (gradBias is not null)
        {
            CheckChannels(gradBias, g.Channels, nameof(gradBias));
        }

        BatchNormBackwardCore(g, training, gradOutput, input, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="f"/> is not a defined <see cref="ActivationKind"/>.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or output's length is not input's.</exception>
    public void ActivationForward(Activation f, Tensor input, Tensor output)
    {
        ThrowIfDisposed();
        CheckActivation(f);
        CheckTensor(input, nameof(input));
        CheckLength(output, input.Length, nameof(output));
        ActivationForwardCore(f, input, output);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="f"/> is not a defined <see cref="ActivationKind"/>.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or output's, gradOutput's or gradInput's
    /// length is not input's.</exception>
    public void ActivationBackward(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput)
    {
        ThrowIfDisposed();
        CheckActivation(f);
        CheckTensor(input, nameof(input));
        CheckLength(output, input.Length, nameof(output));
        CheckLength(gradOutput, input.Length, nameof(gradOutput));
        CheckLength(gradInput, input.Length, nameof(gradInput));
        ActivationBackwardCore(f, input, output, gradOutput, gradInput);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1) (NaN included).</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or mask's or output's length is not
    /// input's.</exception>
    public void DropoutForward(Tensor input, float p, ulong seed, Tensor mask, Tensor output)
    {
        ThrowIfDisposed();
        CheckTensor(input, nameof(input));
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1).");
        }

        CheckLength(mask, input.Length, nameof(mask));
        CheckLength(output, input.Length, nameof(output));
        DropoutForwardCore(input, p, seed, mask, output);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or b's or result's length is not a's.</exception>
    public void Multiply(Tensor a, Tensor b, Tensor result)
    {
        ThrowIfDisposed();
        CheckTensor(a, nameof(a));
        CheckLength(b, a.Length, nameof(b));
        CheckLength(result, a.Length, nameof(result));
        MultiplyCore(a, b, result);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">logits, target or loss is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend; or logits is empty; or target's or
    /// gradInput's (when given) length is not logits'; or loss does not have exactly one element.</exception>
    public void BCEWithLogits(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        ThrowIfDisposed();
        CheckTensor(logits, nameof(logits));
        if (logits.Length == 0)
        {
            throw new ArgumentException("BCEWithLogits needs at least one logit.", nameof(logits));
        }

        CheckLength(target, logits.Length, nameof(target));
        CheckLength(loss, 1, nameof(loss));
        if (gradInput is not null)
        {
            CheckLength(gradInput, logits.Length, nameof(gradInput));
        }

        BCEWithLogitsCore(logits, target, loss, gradInput);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">logits, target or loss is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend; or logits is not <c>[N, C]</c> with N, C ≥ 1;
    /// or target's length is not N; or loss does not have exactly one element; or gradInput's (when given) length is not N·C.</exception>
    public void CrossEntropy(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput)
    {
        ThrowIfDisposed();
        CheckTensor(logits, nameof(logits));
        TensorShape s = logits.Shape;
        if (s.Rank != 2 || s[0] < 1 || s[1] < 1)
        {
            throw new ArgumentException($"logits has shape {s}; expected [N, C] with N >= 1 and C >= 1.", nameof(logits));
        }

        CheckLength(target, s[0], nameof(target));
        CheckLength(loss, 1, nameof(loss));
        if (gradInput is not null)
        {
            CheckLength(gradInput, logits.Length, nameof(gradInput));
        }

        CrossEntropyCore(logits, target, loss, gradInput);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend or a tensor was disposed.</exception>
    /// <exception cref="ArgumentNullException">A tensor is null.</exception>
    /// <exception cref="ArgumentException">A tensor belongs to another backend, or grad's, expAvg's or expAvgSq's length
    /// is not param's.</exception>
    public void AdamStep(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq)
    {
        ThrowIfDisposed();
        CheckTensor(param, nameof(param));
        CheckLength(grad, param.Length, nameof(grad));
        CheckLength(expAvg, param.Length, nameof(expAvg));
        CheckLength(expAvgSq, param.Length, nameof(expAvgSq));
        AdamStepCore(p, param, grad, expAvg, expAvgSq);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    public void Synchronize()
    {
        ThrowIfDisposed();
        SynchronizeCore();
    }

    /// <summary>Frees the backend's resources (its tensors' memory, threads, device); later calls do nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees a derived backend's resources; called once, by <see cref="Dispose()"/>.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    // The kernels. Each is called only after its operation's checks passed: tensors belong to this backend, are not
    // disposed and have the shapes the operation needs, so a kernel computes and checks nothing of the contract (only
    // what its own storage needs, such as a device buffer still being alive).

    /// <summary>Allocates a zero-filled tensor.</summary>
    internal abstract Tensor AllocateCore(TensorShape shape);

    /// <summary>Frees the memory of a tensor of this backend (called at most once per owning tensor).</summary>
    internal abstract void ReleaseCore(Tensor tensor);

    /// <summary>Copies <c>destination.Length</c> values from the host.</summary>
    internal abstract void UploadCore(ReadOnlySpan<float> source, Tensor destination);

    /// <summary>Copies <c>source.Length</c> values to the host.</summary>
    internal abstract void DownloadCore(Tensor source, Span<float> destination);

    /// <summary>Sets every element.</summary>
    internal abstract void FillCore(Tensor tensor, float value);

    /// <summary>Copies between two tensors of equal length.</summary>
    internal abstract void CopyCore(Tensor source, Tensor destination);

    /// <summary>Copies a block of channels per sample; the shapes and ranges are checked and non-empty, the storages differ.</summary>
    internal abstract void CopyChannelsCore(Tensor source, int sourceChannel, Tensor destination, int destinationChannel, int channels);

    /// <summary>Convolution forward; the geometry is consistent and the shapes match it.</summary>
    internal abstract void ConvForwardCore(in ConvGeometry g, Tensor input, Tensor weight, Tensor output);

    /// <summary>Convolution input gradient (overwritten); the geometry is consistent and the shapes match it.</summary>
    internal abstract void ConvBackwardInputCore(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput);

    /// <summary>Convolution weight gradient (accumulated); the geometry is consistent and the shapes match it.</summary>
    internal abstract void ConvBackwardWeightCore(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight);

    /// <summary>output[n, c, s] += bias[c], with <paramref name="g"/> read off output's shape.</summary>
    internal abstract void AddChannelBiasCore(in BatchNormGeometry g, Tensor output, Tensor bias);

    /// <summary>gradBias[c] += Σ gradOutput[n, c, s], with <paramref name="g"/> read off gradOutput's shape.</summary>
    internal abstract void SumPerChannelCore(in BatchNormGeometry g, Tensor gradOutput, Tensor gradBias);

    /// <summary>BatchNorm forward; a training call has at least 2 values per channel.</summary>
    internal abstract void BatchNormForwardCore(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd);

    /// <summary>BatchNorm backward.</summary>
    internal abstract void BatchNormBackwardCore(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias);

    /// <summary>Activation forward; <paramref name="f"/> is a defined kind.</summary>
    internal abstract void ActivationForwardCore(Activation f, Tensor input, Tensor output);

    /// <summary>Activation backward; <paramref name="f"/> is a defined kind.</summary>
    internal abstract void ActivationBackwardCore(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput);

    /// <summary>Inverted dropout; <paramref name="p"/> is in [0, 1).</summary>
    internal abstract void DropoutForwardCore(Tensor input, float p, ulong seed, Tensor mask, Tensor output);

    /// <summary>result = a·b elementwise.</summary>
    internal abstract void MultiplyCore(Tensor a, Tensor b, Tensor result);

    /// <summary>BCE with logits; logits is not empty and loss has one element.</summary>
    internal abstract void BCEWithLogitsCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput);

    /// <summary>Cross-entropy; logits is <c>[N, C]</c> with N, C ≥ 1, target has N elements and loss one.</summary>
    internal abstract void CrossEntropyCore(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput);

    /// <summary>One Adam update over buffers of equal length.</summary>
    internal abstract void AdamStepCore(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq);

    /// <summary>Waits for queued work; host backends have none.</summary>
    internal virtual void SynchronizeCore()
    {
    }

    /// <summary>Throws unless <paramref name="tensor"/> is a live tensor of this backend (the check of <c>GetSpan</c>).</summary>
    /// <exception cref="ArgumentNullException">The tensor is null.</exception>
    /// <exception cref="ArgumentException">The tensor belongs to another backend.</exception>
    /// <exception cref="ObjectDisposedException">The tensor was disposed.</exception>
    private protected void CheckTensor(Tensor tensor, string name)
    {
        CheckOwner(tensor, name);
        if (tensor.IsDisposed)
        {
            throw new ObjectDisposedException(name, $"{name} ({tensor}) was disposed.");
        }
    }

    /// <summary>Throws once the backend is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The backend was disposed.</exception>
    private protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            throw new ArgumentException($"{name} has {actual} elements; expected {expected}.", name);
        }
    }

    /// <summary>Throws unless the geometry is one <see cref="ConvGeometry.ForConv2d"/> or
    /// <see cref="ConvGeometry.ForConvTranspose2d"/> could have built: every kernel's index arithmetic relies on it.</summary>
    private static void CheckGeometry(in ConvGeometry g)
    {
        if (g.KernelSize < 1 || g.Stride < 1 || g.Padding < 0)
        {
            throw new ArgumentException(
                $"Convolution with kernel_size {g.KernelSize}, stride {g.Stride}, padding {g.Padding}: kernel_size and stride must be >= 1 and padding >= 0.",
                nameof(g));
        }

        if (g.Batch < 1 || g.InChannels < 1 || g.OutChannels < 1 || g.InHeight < 1 || g.InWidth < 1)
        {
            throw new ArgumentException($"Convolution geometry {g} has a size below 1; batch, channels and input sides must be >= 1.", nameof(g));
        }

        long reachH = ((long)g.OutHeight * g.Stride) + g.KernelSize + g.InHeight + g.Padding;
        long reachW = ((long)g.OutWidth * g.Stride) + g.KernelSize + g.InWidth + g.Padding;
        if (reachH > int.MaxValue || reachW > int.MaxValue)
        {
            throw new ArgumentException($"Convolution geometry {g} has positions beyond the 32-bit range.", nameof(g));
        }

        long outHeight = OutputSide(g.InHeight, g), outWidth = OutputSide(g.InWidth, g);
        if (outHeight != g.OutHeight || outWidth != g.OutWidth)
        {
            string gives = outHeight < 1 || outWidth < 1 ? "no output (the padded input is smaller than the kernel)" : $"a {outHeight}x{outWidth} output";
            throw new ArgumentException(
                $"Convolution geometry {g} is inconsistent: a {g.InHeight}x{g.InWidth} input with kernel_size {g.KernelSize}, stride {g.Stride}, padding {g.Padding} gives {gives}, not {g.OutHeight}x{g.OutWidth}; build it with ConvGeometry.ForConv2d or ForConvTranspose2d.",
                nameof(g));
        }

        static long OutputSide(int side, in ConvGeometry g)
        {
            long span = side + (2L * g.Padding) - g.KernelSize;
            return span < 0 ? 0 : (span / g.Stride) + 1;
        }
    }

    private static void CheckActivation(Activation f)
    {
        if (f.Kind is not (ActivationKind.ReLU or ActivationKind.LeakyReLU or ActivationKind.Tanh or ActivationKind.Sigmoid))
        {
            throw new ArgumentOutOfRangeException(nameof(f), f.Kind, "Unknown activation.");
        }
    }

    private void CheckOwner(Tensor tensor, string name)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        if (!ReferenceEquals(tensor.Backend, this))
        {
            throw new ArgumentException($"{name} ({tensor}) does not belong to backend {Name}.", name);
        }
    }

    private void CheckLength(Tensor tensor, int expected, string name)
    {
        CheckTensor(tensor, name);
        CheckLength(tensor.Length, expected, name);
    }

    // The shape checks compare dimensions in place: a TensorShape is built only for the message of a failing check, so a
    // training step allocates nothing here.
    private void CheckInputShape(in ConvGeometry g, Tensor tensor, string name) =>
        CheckShape4(tensor, g.Batch, g.InChannels, g.InHeight, g.InWidth, name);

    private void CheckOutputShape(in ConvGeometry g, Tensor tensor, string name) =>
        CheckShape4(tensor, g.Batch, g.OutChannels, g.OutHeight, g.OutWidth, name);

    private void CheckWeightShape(in ConvGeometry g, Tensor tensor, string name) =>
        CheckShape4(tensor, g.OutChannels, g.InChannels, g.KernelSize, g.KernelSize, name);

    private void CheckShape4(Tensor tensor, int d0, int d1, int d2, int d3, string name)
    {
        CheckTensor(tensor, name);
        TensorShape s = tensor.Shape;
        if (s.Rank != 4 || s[0] != d0 || s[1] != d1 || s[2] != d2 || s[3] != d3)
        {
            throw new ArgumentException($"{name} has shape {s}; expected {new TensorShape(d0, d1, d2, d3)}.", name);
        }
    }

    private void CheckChannels(Tensor tensor, int channels, string name)
    {
        CheckTensor(tensor, name);
        TensorShape s = tensor.Shape;
        if (s.Rank != 1 || s[0] != channels)
        {
            throw new ArgumentException($"{name} has shape {s}; expected [{channels}].", name);
        }
    }

    private void CheckSameShape(Tensor tensor, Tensor input, string name)
    {
        CheckTensor(tensor, name);
        if (tensor.Shape != input.Shape)
        {
            throw new ArgumentException($"{name} has shape {tensor.Shape}; expected {input.Shape}.", name);
        }
    }

    private void CheckBatchNormInput(in BatchNormGeometry g, Tensor input)
    {
        BatchNormGeometry actual = ChannelGeometry(input, nameof(input));
        if (actual != g)
        {
            throw new ArgumentException(
                $"input has shape {input.Shape}, which is [N, C, S] = [{actual.Batch}, {actual.Channels}, {actual.Spatial}]; the geometry g expects [{g.Batch}, {g.Channels}, {g.Spatial}].",
                nameof(input));
        }
    }

    /// <summary>The <c>[N, C, S]</c> view of a rank-2, 3 or 4 tensor whose axis 1 is the channel axis.</summary>
    private BatchNormGeometry ChannelGeometry(Tensor tensor, string name)
    {
        CheckTensor(tensor, name);
        TensorShape s = tensor.Shape;
        if (s.Rank is < 2 or > 4)
        {
            throw new ArgumentException($"{name} has shape {s}; expected [N, C], [N, C, L] or [N, C, H, W].", name);
        }

        return BatchNormGeometry.FromShape(s);
    }
}
