// The small unmanaged structs passed by value to the ILGPU kernels (one per kernel family).
// Every count here was checked on the host against the tensors' shapes before a launch.
namespace Dcgan.Gpu.Kernels;

/// <summary>Length of an elementwise operation and up to two scalars.</summary>
/// <param name="Length">Elements to process.</param>
/// <param name="A">First scalar (meaning depends on the kernel).</param>
/// <param name="B">Second scalar (meaning depends on the kernel).</param>
internal readonly record struct ElementwiseArgs(int Length, float A, float B);

/// <summary>A block of channels copied per sample between two NCHW tensors (see IBackend.CopyChannels).</summary>
/// <param name="Length">Values copied: N · channels · H · W.</param>
/// <param name="Block">Values per sample copied: channels · H · W.</param>
/// <param name="SourceStride">Values per sample of the source (its C · H · W).</param>
/// <param name="SourceStart">Offset of the block within a source sample (sourceChannel · H · W).</param>
/// <param name="DestinationStride">Values per sample of the destination.</param>
/// <param name="DestinationStart">Offset of the block within a destination sample.</param>
internal readonly record struct ChannelCopyArgs(int Length, int Block, int SourceStride, int SourceStart, int DestinationStride, int DestinationStart);

/// <summary>An activation over <paramref name="Length"/> elements.</summary>
/// <param name="Length">Elements to process.</param>
/// <param name="Kind">The <see cref="Dcgan.Backends.ActivationKind"/> as an int.</param>
/// <param name="Slope">LeakyReLU's negative slope.</param>
internal readonly record struct ActivationArgs(int Length, int Kind, float Slope);

/// <summary>Inverted dropout over <paramref name="Length"/> elements.</summary>
/// <param name="Length">Elements to process.</param>
/// <param name="P">Drop probability in [0, 1).</param>
/// <param name="Keep">1 / (1 − p), computed on the host in float as the CPU does.</param>
/// <param name="Seed">The mask's seed.</param>
internal readonly record struct DropoutArgs(int Length, float P, float Keep, ulong Seed);

/// <summary>The scalars of one fused Adam step (see <see cref="Dcgan.Backends.AdamStepParameters"/>).</summary>
/// <param name="Length">Parameters to update.</param>
/// <param name="Beta1">β1.</param>
/// <param name="Beta2">β2.</param>
/// <param name="OneMinusBeta1">1 − β1 in float.</param>
/// <param name="OneMinusBeta2">1 − β2 in float.</param>
/// <param name="Eps">Added after the corrected square root.</param>
/// <param name="WeightDecay">L2 penalty.</param>
/// <param name="StepSize">lr / (1 − β1^t), rounded to float.</param>
/// <param name="Correction2Sqrt">sqrt(1 − β2^t), rounded to float.</param>
internal readonly record struct AdamArgs(
    int Length, float Beta1, float Beta2, float OneMinusBeta1, float OneMinusBeta2,
    float Eps, float WeightDecay, float StepSize, float Correction2Sqrt);

/// <summary>
/// A tensor viewed as <c>[Batch, Channels, Spatial]</c> whose per-channel sums are split into
/// <paramref name="Chunks"/> interleaved partial sums: partial p of a channel adds values j = p, p + Chunks, …
/// (j = n·Spatial + s), in increasing j. The split depends only on the shape, so the order is fixed.
/// </summary>
/// <param name="Batch">N.</param>
/// <param name="Channels">C.</param>
/// <param name="Spatial">Values per sample and channel.</param>
/// <param name="Chunks">Partial sums per channel (≥ 1).</param>
/// <param name="Count">N·Spatial as a float, the divisor of means.</param>
internal readonly record struct ChannelArgs(int Batch, int Channels, int Spatial, int Chunks, float Count)
{
    /// <summary>N·Spatial.</summary>
    public int ValuesPerChannel => Batch * Spatial;

    /// <summary>Channels·Chunks, the number of partial sums.</summary>
    public int PartialCount => Channels * Chunks;

    /// <summary>Batch·Channels·Spatial.</summary>
    public int Length => Batch * Channels * Spatial;
}

/// <summary>BatchNorm scalars on top of a <see cref="ChannelArgs"/>.</summary>
/// <param name="Layout">The tensor's channel layout and reduction split.</param>
/// <param name="Momentum">Running-statistics factor.</param>
/// <param name="Eps">Added to the variance.</param>
/// <param name="Training">1 in training mode, 0 in eval mode.</param>
/// <param name="HasGradWeight">1 when ∂L/∂gamma is accumulated.</param>
/// <param name="HasGradBias">1 when ∂L/∂beta is accumulated.</param>
internal readonly record struct BatchNormArgs(ChannelArgs Layout, float Momentum, float Eps, int Training, int HasGradWeight, int HasGradBias);

/// <summary>
/// Sums groups of partial results: destination[j] += Σ over q &lt; <paramref name="Terms"/> of
/// partial[j·<paramref name="OuterStride"/> + q·<paramref name="InnerStride"/>], q increasing.
/// </summary>
/// <param name="Outputs">Destination elements.</param>
/// <param name="Terms">Partials per destination element (≥ 1).</param>
/// <param name="OuterStride">Distance between the first partials of consecutive outputs.</param>
/// <param name="InnerStride">Distance between consecutive partials of one output.</param>
internal readonly record struct SumPartialsArgs(int Outputs, int Terms, int OuterStride, int InnerStride);

/// <summary>A convolution's weight gradient split over contiguous batch ranges.</summary>
/// <param name="Geometry">The convolution.</param>
/// <param name="Chunks">Batch ranges; 1 means the kernel accumulates straight into the gradient.</param>
/// <param name="BatchPerChunk">Samples per range (the last one may be shorter).</param>
internal readonly record struct ConvWeightArgs(Dcgan.Backends.ConvGeometry Geometry, int Chunks, int BatchPerChunk);

/// <summary>Mean binary cross-entropy on logits, split into interleaved partial sums.</summary>
/// <param name="Length">Logits.</param>
/// <param name="Chunks">Partial sums (≥ 1); partial p adds i = p, p + Chunks, ….</param>
/// <param name="Count">Length as a float.</param>
/// <param name="WithGrad">1 when ∂loss/∂logits is written.</param>
internal readonly record struct BceArgs(int Length, int Chunks, float Count, int WithGrad);

/// <summary>Mean cross-entropy of logits <c>[Rows, Classes]</c>, split into interleaved partial sums over rows.</summary>
/// <param name="Rows">Samples N.</param>
/// <param name="Classes">Classes C.</param>
/// <param name="Chunks">Partial sums (≥ 1); partial p adds rows p, p + Chunks, ….</param>
/// <param name="Count">Rows as a float.</param>
/// <param name="WithGrad">1 when ∂loss/∂logits is written.</param>
internal readonly record struct CrossEntropyArgs(int Rows, int Classes, int Chunks, float Count, int WithGrad);
