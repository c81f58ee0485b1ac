// One rule for the tensors a layer or loss keeps between calls: kept while the shape and backend stay, replaced
// (the old one released) when either changes, so a steady training step allocates nothing.
namespace Dcgan.Tensors;

using System.Diagnostics.CodeAnalysis;
using Dcgan.Backends;

/// <summary>Reusable workspace tensors.</summary>
internal static class Workspace
{
    /// <summary>Returns <paramref name="slot"/> when it already has <paramref name="shape"/> on <paramref name="backend"/>, else replaces it with a new tensor.</summary>
    public static Tensor Reuse([NotNull] ref Tensor? slot, IBackend backend, TensorShape shape)
    {
        if (slot is null || slot.Shape != shape || !ReferenceEquals(slot.Backend, backend))
        {
            slot?.Dispose();
            slot = backend.Allocate(shape);
        }

        return slot;
    }
}
