// The base of every layer: a forward pass that caches what its hand-written backward needs,
// named parameters and buffers (PyTorch's state_dict names), train/eval mode.
namespace Dcgan.Modules;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Tensors;

/// <summary>
/// A layer or network with a forward pass and a hand-written backward pass, like <c>torch.nn.Module</c>.
/// <para>
/// <see cref="Forward"/> caches what <see cref="Backward"/> needs and returns a tensor the module owns and
/// reuses on the next call (copy it to keep it). <see cref="Backward"/> takes ∂L/∂output, accumulates
/// parameter gradients (+=) and returns ∂L/∂input (overwritten on each call). Each Forward must be followed
/// by at most one matching Backward before the next Forward.
/// </para>
/// <para>
/// A module has no memory until <see cref="To"/> binds it to a backend: every parameter of the tree then
/// lives in one flat buffer, and PyTorch's default initialisation is applied.
/// </para>
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<Parameter> _parameters = [];
    private readonly List<(string Name, TensorShape Shape, float Initial)> _bufferSpecs = [];
    private readonly Dictionary<string, Tensor> _buffers = [];
    private Tensor? _flatData;
    private Tensor? _flatGrad;
    private Tensor? _flatBuffers;

    /// <summary>Whether the module is in training mode (the default); see <see cref="Train"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The backend the module was bound to by <see cref="To"/>, or null before.</summary>
    public IBackend? Backend { get; private set; }

    /// <summary>
    /// All parameters of this module's tree in one flat tensor (in <see cref="NamedParameters"/> order)
    /// when this module is the one <see cref="To"/> was called on; otherwise null.
    /// </summary>
    public Tensor? FlatParameters => _flatData;

    /// <summary>The gradients matching <see cref="FlatParameters"/>, or null.</summary>
    public Tensor? FlatGradients => _flatGrad;

    /// <summary>The direct children, named as PyTorch names them (a <see cref="Sequential"/>'s are "0", "1", ...).</summary>
    public virtual IEnumerable<(string Name, Module Module)> Children() => [];

    /// <summary>This module's own parameters, without its children's.</summary>
    public IReadOnlyList<Parameter> LocalParameters => _parameters;

    /// <summary>Every parameter of the tree with its dotted path (<c>0.weight</c>, <c>3.bias</c>), depth first.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (Parameter p in _parameters)
        {
            yield return (p.Name, p);
        }

        foreach ((string childName, Module child) in Children())
        {
            foreach ((string name, Parameter p) in child.NamedParameters())
            {
                yield return ($"{childName}.{name}", p);
            }
        }
    }

    /// <summary>Every parameter of the tree, in <see cref="NamedParameters"/> order.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of the tree (BatchNorm's <c>running_mean</c>, <c>running_var</c>) with its dotted path.</summary>
    /// <exception cref="InvalidOperationException">The module is not bound to a backend.</exception>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach ((string name, _, _) in _bufferSpecs)
        {
            yield return (name, GetBuffer(name));
        }

        foreach ((string childName, Module child) in Children())
        {
            foreach ((string name, Tensor b) in child.NamedBuffers())
            {
                yield return ($"{childName}.{name}", b);
            }
        }
    }

    /// <summary>This module (named "") and every descendant with its dotted path (<c>main.0</c>), depth first, as PyTorch's <c>named_modules</c>.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return (string.Empty, this);
        foreach ((string childName, Module child) in Children())
        {
            foreach ((string name, Module m) in child.NamedModules())
            {
                yield return (name.Length == 0 ? childName : $"{childName}.{name}", m);
            }
        }
    }

    /// <summary>This module and every descendant, depth first.</summary>
    public IEnumerable<Module> Modules()
    {
        yield return this;
        foreach ((_, Module child) in Children())
        {
            foreach (Module m in child.Modules())
            {
                yield return m;
            }
        }
    }

    /// <summary>
    /// Binds the tree to <paramref name="backend"/>: one flat buffer for all parameters, one for their
    /// gradients (zeroed) and one for all buffers. On the first call parameters get PyTorch's default
    /// initialisation drawn from <paramref name="random"/> (seed 0 when null); when the tree was bound before,
    /// values are copied across instead, so a network can move between devices.
    /// </summary>
    /// <returns>This module.</returns>
    public Module To(IBackend backend, RandomSource? random = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var named = NamedParameters().ToList();
        bool wasBound = named.Count > 0 && named.All(p => p.Parameter.IsBound);
        float[][] oldValues = wasBound ? named.Select(p => p.Parameter.Data.ToArray()).ToArray() : [];
        var oldBuffers = Modules().Where(m => m.Backend is not null).SelectMany(m => m._buffers.Select(b => (m, b.Key, Values: b.Value.ToArray()))).ToList();

        int total = named.Sum(p => p.Parameter.Shape.ElementCount);
        var data = backend.Allocate(new TensorShape(total));
        var grad = backend.Allocate(new TensorShape(total));
        int offset = 0;
        foreach ((_, Parameter p) in named)
        {
            p.Bind(data.Slice(offset, p.Shape), grad.Slice(offset, p.Shape));
            offset += p.Shape.ElementCount;
        }

        var modules = Modules().ToList();
        int bufferTotal = modules.Sum(m => m._bufferSpecs.Sum(b => b.Shape.ElementCount));
        var buffers = backend.Allocate(new TensorShape(bufferTotal));
        int bufferOffset = 0;
        foreach (Module m in modules)
        {
            m._buffers.Clear();
            foreach ((string name, TensorShape shape, float initial) in m._bufferSpecs)
            {
                Tensor view = buffers.Slice(bufferOffset, shape);
                backend.Fill(view, initial);
                m._buffers[name] = view;
                bufferOffset += shape.ElementCount;
            }
        }

        foreach (Module m in modules)
        {
            m.ReleaseFlat();
            m.ReleaseWorkspace();
            m.Backend = backend;
        }

        _flatData = data;
        _flatGrad = grad;
        _flatBuffers = buffers;
        if (wasBound)
        {
            for (int i = 0; i < named.Count; i++)
            {
                named[i].Parameter.Data.CopyFrom(oldValues[i]);
            }

            foreach ((Module m, string name, float[] values) in oldBuffers)
            {
                m._buffers[name].CopyFrom(values);
            }
        }
        else
        {
            random ??= new RandomSource(0);
            foreach (Module m in modules)
            {
                m.ResetParameters(random);
            }
        }

        return this;
    }

    /// <summary>Sets training mode (BatchNorm uses batch statistics, Dropout drops) on the whole tree.</summary>
    /// <returns>This module.</returns>
    public Module Train(bool mode = true)
    {
        foreach (Module m in Modules())
        {
            m.IsTraining = mode;
        }

        return this;
    }

    /// <summary>Sets evaluation mode on the whole tree (same as <c>Train(false)</c>).</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>Sets <see cref="Parameter.RequiresGrad"/> on every parameter of the tree (<c>requires_grad_</c>).</summary>
    /// <returns>This module.</returns>
    public Module RequiresGrad(bool requiresGrad = true)
    {
        foreach (Parameter p in Parameters())
        {
            p.RequiresGrad = requiresGrad;
        }

        return this;
    }

    /// <summary>Sets every parameter gradient of the tree to zero (one fill when this module owns the flat buffer).</summary>
    /// <exception cref="InvalidOperationException">The module is not bound to a backend.</exception>
    public void ZeroGrad()
    {
        if (_flatGrad is not null)
        {
            _flatGrad.Backend.Fill(_flatGrad, 0f);
            return;
        }

        foreach (Parameter p in Parameters())
        {
            p.Grad.Backend.Fill(p.Grad, 0f);
        }
    }

    /// <summary>Runs the layer on <paramref name="input"/> and caches what <see cref="Backward"/> needs.</summary>
    /// <param name="input">A tensor on the module's backend; the expected shape is in each layer's documentation.</param>
    /// <returns>A tensor owned by the module, overwritten by the next call.</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the layer.</exception>
    /// <exception cref="InvalidOperationException">The module is not bound to a backend.</exception>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Back-propagates ∂L/∂output of the last <see cref="Forward"/>.</summary>
    /// <param name="gradOutput">∂L/∂output, the shape of the last output.</param>
    /// <returns>∂L/∂input, owned by the module and overwritten by the next call.</returns>
    /// <exception cref="InvalidOperationException">No forward pass precedes this call.</exception>
    public abstract Tensor Backward(Tensor gradOutput);

    /// <summary>Frees the module's memory (flat buffers when it owns them, and its workspace tensors).</summary>
    public void Dispose()
    {
        foreach (Module m in Modules())
        {
            m.ReleaseWorkspace();
        }

        ReleaseFlat();
        GC.SuppressFinalize(this);
    }

    /// <summary>Applies the layer's default initialisation (PyTorch's <c>reset_parameters</c>) to its own parameters.</summary>
    protected internal virtual void ResetParameters(RandomSource random)
    {
    }

    /// <summary>Frees tensors the module allocated in forward or backward passes.</summary>
    protected virtual void ReleaseWorkspace()
    {
    }

    /// <summary>Declares a learnable parameter; its memory comes with <see cref="To"/>.</summary>
    protected Parameter RegisterParameter(string name, TensorShape shape)
    {
        var p = new Parameter(name, shape);
        _parameters.Add(p);
        return p;
    }

    /// <summary>Declares a buffer (saved state that is not learned), filled with <paramref name="initial"/> by <see cref="To"/>.</summary>
    protected void RegisterBuffer(string name, TensorShape shape, float initial)
    {
        _bufferSpecs.Add((name, shape, initial));
    }

    /// <summary>A buffer declared with <see cref="RegisterBuffer"/>.</summary>
    /// <exception cref="InvalidOperationException">The module is not bound to a backend.</exception>
    protected Tensor GetBuffer(string name) =>
        _buffers.TryGetValue(name, out Tensor? t) ? t : throw new InvalidOperationException($"{GetType().Name} has no memory yet: call To(backend) on the network first.");

    /// <summary>The module's backend, or an exception naming the missing call.</summary>
    /// <exception cref="InvalidOperationException">The module is not bound to a backend.</exception>
    protected IBackend RequireBackend() =>
        Backend ?? throw new InvalidOperationException($"{GetType().Name} has no memory yet: call To(backend) on the network first.");

    /// <summary>Returns <paramref name="slot"/> when it already has <paramref name="shape"/>, else replaces it with a new tensor.</summary>
    protected static Tensor Reuse(ref Tensor? slot, IBackend backend, TensorShape shape) => Workspace.Reuse(ref slot, backend, shape);

    /// <summary>Throws unless <paramref name="input"/> lives on this module's backend.</summary>
    /// <exception cref="ArgumentException">The input belongs to another backend.</exception>
    protected IBackend CheckBackend(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        IBackend backend = RequireBackend();
        if (!ReferenceEquals(input.Backend, backend))
        {
            throw new ArgumentException($"{GetType().Name} runs on {backend.Name}, but the input {input} is on another backend.", nameof(input));
        }

        return backend;
    }

    /// <summary>Returns the cached value of the last forward pass or explains that Backward came first.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="cached"/> is null.</exception>
    protected T RequireForward<T>(T? cached)
        where T : class =>
        cached ?? throw new InvalidOperationException($"{GetType().Name}.Backward was called before Forward.");

    /// <summary>Disposes one workspace tensor and clears its slot.</summary>
    protected static void Free(ref Tensor? slot)
    {
        slot?.Dispose();
        slot = null;
    }

    private void ReleaseFlat()
    {
        _flatData?.Dispose();
        _flatGrad?.Dispose();
        _flatBuffers?.Dispose();
        _flatData = _flatGrad = _flatBuffers = null;
    }
}
