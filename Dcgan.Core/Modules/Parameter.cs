// A learnable tensor and its gradient: views into the flat buffers of the network that owns them.
namespace Dcgan.Modules;

using Dcgan.Tensors;

/// <summary>
/// A learnable tensor (<c>torch.nn.Parameter</c>) with its gradient. Both are views into one flat
/// parameter buffer and one flat gradient buffer of the root module they were bound with
/// (<see cref="Module.To"/>), so zeroing gradients is one fill and an Adam step is one pass.
/// </summary>
public sealed class Parameter
{
    private Tensor? _data;
    private Tensor? _grad;

    internal Parameter(string name, TensorShape shape)
    {
        Name = name;
        Shape = shape;
    }

    /// <summary>The local name (<c>weight</c>, <c>bias</c>); <see cref="Module.NamedParameters"/> gives the full path.</summary>
    public string Name { get; }

    /// <summary>The parameter's shape.</summary>
    public TensorShape Shape { get; }

    /// <summary>Whether backward passes accumulate into <see cref="Grad"/> (<c>requires_grad</c>); default true.</summary>
    public bool RequiresGrad { get; set; } = true;

    /// <summary>Whether the parameter has memory on a backend yet.</summary>
    public bool IsBound => _data is not null;

    /// <summary>The values.</summary>
    /// <exception cref="InvalidOperationException">The module was not moved to a backend with <see cref="Module.To"/>.</exception>
    public Tensor Data => _data ?? throw Unbound();

    /// <summary>The gradient, accumulated by backward passes and cleared by <see cref="Module.ZeroGrad"/>.</summary>
    /// <exception cref="InvalidOperationException">The module was not moved to a backend with <see cref="Module.To"/>.</exception>
    public Tensor Grad => _grad ?? throw Unbound();

    internal void Bind(Tensor data, Tensor grad)
    {
        _data = data;
        _grad = grad;
    }

    private InvalidOperationException Unbound() =>
        new($"Parameter '{Name}' {Shape} has no memory yet: call To(backend) on the network first.");
}
