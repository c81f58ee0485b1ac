// The one interface every tensor operation goes through. Modules never ask which device runs them.
// Conventions: outputs are written, never allocated inside; parameter gradients accumulate (+=),
// input gradients overwrite (=). Shapes are validated before any kernel runs.
namespace Dcgan.Backends;

using Dcgan.Tensors;

/// <summary>
/// A device that owns tensor memory and runs the kernels of a DCGAN. Implemented by
/// <see cref="Cpu.CpuBackend"/>, <see cref="Cpu.Float64Backend"/> and the ILGPU backend in Dcgan.Gpu, all through
/// <see cref="Backend"/>, which checks every call once, before any kernel runs, with the same messages on every device.
/// ConvTranspose2d needs no kernels of its own: its forward is <see cref="ConvBackwardInput"/>,
/// its input gradient is <see cref="ConvForward"/> and its weight gradient is
/// <see cref="ConvBackwardWeight"/> with input and gradient exchanged. Linear is a 1×1 convolution.
/// Every method throws <see cref="ArgumentException"/> when a tensor's shape does not match the
/// geometry or belongs to another backend (<see cref="Backend"/> lists each operation's checks).
/// </summary>
public interface IBackend : IDisposable
{
    /// <summary>A short device name, such as <c>cpu</c> or <c>cuda:0</c>.</summary>
    string Name { get; }

    /// <summary>Allocates a zero-filled tensor.</summary>
    Tensor Allocate(TensorShape shape);

    /// <summary>Frees a tensor's memory; called by <see cref="Tensor.Dispose"/> for owning tensors.</summary>
    void Release(Tensor tensor);

    /// <summary>Copies <paramref name="source"/> (exactly destination.Length values) into a tensor.</summary>
    void Upload(ReadOnlySpan<float> source, Tensor destination);

    /// <summary>Copies a tensor into <paramref name="destination"/> (exactly source.Length values).</summary>
    void Download(Tensor source, Span<float> destination);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(Tensor tensor, float value);

    /// <summary>Copies elements between two tensors of equal length on this backend.</summary>
    void Copy(Tensor source, Tensor destination);

    /// <summary>
    /// destination[n, destinationChannel + c] = source[n, sourceChannel + c] for c in [0, channels), every sample n:
    /// a block of channels between two <c>[N, C, H, W]</c> tensors with the same N, H and W (C may differ). Channel
    /// concatenation (torch.cat(dim=1)) is two such copies; its backward, splitting the gradient, is one per part.
    /// </summary>
    void CopyChannels(Tensor source, int sourceChannel, Tensor destination, int destinationChannel, int channels);

    /// <summary>output = conv2d(input, weight): input <c>g.InputShape</c>, weight <c>g.WeightShape</c>, output <c>g.OutputShape</c> (overwritten).</summary>
    void ConvForward(in ConvGeometry g, Tensor input, Tensor weight, Tensor output);

    /// <summary>gradInput = ∂(Σ output·gradOutput)/∂input, i.e. the transposed convolution of gradOutput (overwritten).</summary>
    void ConvBackwardInput(in ConvGeometry g, Tensor gradOutput, Tensor weight, Tensor gradInput);

    /// <summary>gradWeight += ∂(Σ output·gradOutput)/∂weight (accumulated).</summary>
    void ConvBackwardWeight(in ConvGeometry g, Tensor input, Tensor gradOutput, Tensor gradWeight);

    /// <summary>output[n, c, s] += bias[c] for an output <c>[N, C, ...]</c> and bias <c>[C]</c>.</summary>
    void AddChannelBias(Tensor output, Tensor bias);

    /// <summary>gradBias[c] += Σ over n and s of gradOutput[n, c, s] (accumulated).</summary>
    void SumPerChannel(Tensor gradOutput, Tensor gradBias);

    /// <summary>
    /// BatchNorm forward over <c>[N, C, S]</c>. Training: normalise with the biased batch variance, then
    /// running = (1 − momentum)·running + momentum·batch (unbiased variance), and save the batch mean and
    /// 1/sqrt(var + eps). Eval: normalise with the running statistics, which are left unchanged, and save those.
    /// </summary>
    void BatchNormForward(in BatchNormGeometry g, Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
        bool training, float momentum, float eps, Tensor output, Tensor saveMean, Tensor saveInvStd);

    /// <summary>BatchNorm backward: gradInput overwritten; gradWeight and gradBias accumulated when not null.</summary>
    void BatchNormBackward(in BatchNormGeometry g, bool training, Tensor gradOutput, Tensor input, Tensor weight, Tensor saveMean,
        Tensor saveInvStd, Tensor gradInput, Tensor? gradWeight, Tensor? gradBias);

    /// <summary>output = f(input), elementwise (input and output may be the same tensor).</summary>
    void ActivationForward(Activation f, Tensor input, Tensor output);

    /// <summary>gradInput = gradOutput · f′, elementwise; ReLU-like functions read input, Tanh and Sigmoid read output.</summary>
    void ActivationBackward(Activation f, Tensor input, Tensor output, Tensor gradOutput, Tensor gradInput);

    /// <summary>
    /// Inverted dropout: mask[i] = 0 with probability p, else 1/(1 − p), drawn from a counter-based hash
    /// of (seed, i) so every backend draws the same mask; output = input·mask.
    /// </summary>
    void DropoutForward(Tensor input, float p, ulong seed, Tensor mask, Tensor output);

    /// <summary>result = a·b, elementwise (used for dropout's backward).</summary>
    void Multiply(Tensor a, Tensor b, Tensor result);

    /// <summary>
    /// Mean binary cross-entropy on logits, computed stably as max(x, 0) − x·y + log(1 + exp(−|x|));
    /// loss has shape <c>[]</c>; gradInput (when not null) = (sigmoid(x) − y) / n, overwritten.
    /// </summary>
    void BCEWithLogits(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput);

    /// <summary>
    /// Mean cross-entropy of logits <c>[N, C]</c> against class indices <c>[N]</c> (stored as whole floats in [0, C)),
    /// torch.nn.CrossEntropyLoss(reduction='mean'): loss = mean over rows of logsumexp(x[n]) − x[n, target[n]], with the
    /// row maximum subtracted before exp; loss has shape <c>[]</c>; gradInput (when not null) = (softmax(x[n]) −
    /// onehot(target[n])) / N, overwritten. A target that is not a whole number in [0, C) makes the loss and its row's gradient NaN.
    /// </summary>
    void CrossEntropy(Tensor logits, Tensor target, Tensor loss, Tensor? gradInput);

    /// <summary>One Adam update over flat buffers of equal length (see <see cref="AdamStepParameters"/>).</summary>
    void AdamStep(in AdamStepParameters p, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq);

    /// <summary>Waits until all queued work is done (a no-op on the CPU).</summary>
    void Synchronize();
}
