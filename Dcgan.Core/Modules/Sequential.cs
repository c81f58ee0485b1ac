// A chain of modules, named "0", "1", ... as torch.nn.Sequential names them in a state_dict.
namespace Dcgan.Modules;

using Dcgan.Tensors;

/// <summary>Runs modules in order; backward runs them in reverse (<c>torch.nn.Sequential</c>).</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _modules;

    /// <summary>Creates a chain of <paramref name="modules"/>.</summary>
    /// <exception cref="ArgumentException">A module is null.</exception>
    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (modules.Any(m => m is null))
        {
            throw new ArgumentException("Sequential got a null module.", nameof(modules));
        }

        _modules = [.. modules];
    }

    /// <summary>The number of modules.</summary>
    public int Count => _modules.Count;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module this[int index] => _modules[index];

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> Children() =>
        _modules.Select((m, i) => (i.ToString(System.Globalization.CultureInfo.InvariantCulture), m));

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        Tensor x = input;
        foreach (Module m in _modules)
        {
            x = m.Forward(x);
        }

        return x;
    }

    /// <inheritdoc/>
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor g = gradOutput;
        for (int i = _modules.Count - 1; i >= 0; i--)
        {
            g = _modules[i].Backward(g);
        }

        return g;
    }
}
