// Weight initialisers: PyTorch's defaults (kaiming_uniform with a = sqrt(5)) and the DCGAN paper's N(0, 0.02).
namespace Dcgan.Init;

using Dcgan.Modules;

/// <summary>Fills parameters on the host from a <see cref="RandomSource"/> and uploads them.</summary>
public static class Initializers
{
    /// <summary>Fills <paramref name="p"/> with U(−bound, bound) (<c>torch.nn.init.uniform_</c>).</summary>
    public static void Uniform(Parameter p, RandomSource random, double bound)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[p.Shape.ElementCount];
        random.FillUniform(values, -bound, bound);
        p.Data.CopyFrom(values);
    }

    /// <summary>Fills <paramref name="p"/> with N(mean, std²) (<c>torch.nn.init.normal_</c>).</summary>
    public static void Normal(Parameter p, RandomSource random, double mean, double std)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(random);
        var values = new float[p.Shape.ElementCount];
        random.FillNormal(values, mean, std);
        p.Data.CopyFrom(values);
    }

    /// <summary>Sets every element of <paramref name="p"/> to <paramref name="value"/> (<c>torch.nn.init.constant_</c>).</summary>
    public static void Constant(Parameter p, float value)
    {
        ArgumentNullException.ThrowIfNull(p);
        p.Data.Backend.Fill(p.Data, value);
    }

    /// <summary>
    /// PyTorch's default for Conv2d, ConvTranspose2d and Linear: weight and bias U(−1/√fanIn, 1/√fanIn),
    /// which is <c>kaiming_uniform_(a = √5)</c> for the weight.
    /// </summary>
    internal static void PyTorchDefault(Parameter weight, Parameter? bias, int fanIn, RandomSource random)
    {
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
        Uniform(weight, random, bound);
        if (bias is not null)
        {
            Uniform(bias, random, bound);
        }
    }
}

/// <summary>
/// The DCGAN initialisation of Radford et al. (2015), as pytorch/examples' <c>weights_init</c>: every
/// Conv2d and ConvTranspose2d weight N(0, 0.02), every BatchNorm weight N(1, 0.02) and bias 0.
/// Other parameters (conv biases, Linear) keep their values.
/// </summary>
public static class DcganInit
{
    /// <summary>Applies the DCGAN initialisation to every module of <paramref name="network"/>, drawing in module order.</summary>
    /// <exception cref="InvalidOperationException">The network is not bound to a backend.</exception>
    public static void Apply(Module network, RandomSource random)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(random);
        foreach (Module m in network.Modules())
        {
            switch (m)
            {
                case Conv2d conv:
                    Initializers.Normal(conv.Weight, random, 0.0, 0.02);
                    break;
                case ConvTranspose2d convT:
                    Initializers.Normal(convT.Weight, random, 0.0, 0.02);
                    break;
                case BatchNorm bn:
                    Initializers.Normal(bn.Weight, random, 1.0, 0.02);
                    Initializers.Constant(bn.Bias, 0f);
                    break;
            }
        }
    }
}
