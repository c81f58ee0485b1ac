// A network whose layers form one Sequential named "main", as pytorch/examples writes DCGAN's G and D,
// so parameter names match PyTorch's state_dict keys (main.0.weight, main.1.running_var, ...).
namespace Dcgan.Models;

using Dcgan.Modules;
using Dcgan.Tensors;

/// <summary>
/// A network wrapping a <see cref="Sequential"/> named <c>main</c> (PyTorch: <c>self.main = nn.Sequential(...)</c>),
/// so <see cref="Module.NamedParameters"/> yields <c>main.&lt;index&gt;.weight</c> as PyTorch's state_dict does.
/// Forward and backward are the Sequential's.
/// </summary>
public sealed class Network : Module
{
    /// <summary>Creates the network from its layers, in order.</summary>
    /// <param name="name">A label for messages and checkpoints (for example <c>G</c> or <c>D</c>).</param>
    /// <param name="layers">The layers of <c>main</c>.</param>
    public Network(string name, params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
        Main = new Sequential(layers);
    }

    /// <summary>The network's label (for example <c>G</c> or <c>D</c>).</summary>
    public string Name { get; }

    /// <summary>The layers.</summary>
    public Sequential Main { get; }

    /// <inheritdoc/>
    public override IEnumerable<(string Name, Module Module)> Children() => [("main", Main)];

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Main.Forward(input);

    /// <inheritdoc/>
    public override Tensor Backward(Tensor gradOutput) => Main.Backward(gradOutput);

    /// <summary>Lists the layers one per line, as PyTorch prints a module.</summary>
    public override string ToString() =>
        $"{Name}(\n  (main): Sequential(\n{string.Join("\n", Main.Children().Select(c => $"    ({c.Name}): {c.Module}"))}\n  )\n)";
}
