// Builds the networks, optimizers and step of an architecture preset (see TrainOptions.Arch).
namespace Dcgan.Samples.Training;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Optimizers;
using Dcgan.Tensors;
using Dcgan.Training;

/// <summary>G, D, their optimizers and the training step of one preset, bound to a backend.</summary>
public sealed class GanModel : IDisposable
{
    public required Network Generator { get; init; }
    public required Network Discriminator { get; init; }
    public required Adam OptimizerG { get; init; }
    public required Adam OptimizerD { get; init; }
    public required GanStep Step { get; init; }

    /// <summary>The noise shape for a batch: [N, nz, 1, 1] for dcgan, [N, nz] for tf-tutorial.</summary>
    public required Func<int, TensorShape> NoiseShape { get; init; }

    public void Dispose()
    {
        Step.Dispose();
        OptimizerG.Dispose();
        OptimizerD.Dispose();
        Generator.Dispose();
        Discriminator.Dispose();
    }
}

public static class Presets
{
    /// <summary>
    /// Builds a preset on <paramref name="backend"/> with its initialisation drawn from <paramref name="init"/>:
    /// dcgan = Radford et al.'s N(0, 0.02) init and the alternating step; tf-tutorial = Keras' Glorot init and the
    /// simultaneous step. Channel widths: dcgan G 4·ngf, 2·ngf; tf-tutorial G 4·ngf, 2·ngf, ngf and D ndf, 2·ndf
    /// (ngf = ndf = 64 gives the tutorial's 256/128/64 and 64/128).
    /// </summary>
    public static GanModel Build(TrainOptions o, IBackend backend, RandomSource init)
    {
        Network g, d;
        bool tf = o.Arch == Architectures.TfTutorial;
        if (tf)
        {
            g = TfTutorialModels.Generator(o.Nz, 4 * o.Ngf, 2 * o.Ngf, o.Ngf);
            d = TfTutorialModels.Discriminator(o.Ndf, 2 * o.Ndf, dropout: o.ResolvedDropout, dropoutSeed: init.Fork("dropout").NextUInt64());
            g.To(backend, init);
            d.To(backend, init);
            TfTutorialModels.InitKeras(g, init);
            TfTutorialModels.InitKeras(d, init);
        }
        else
        {
            g = DcganModels.Generator(o.Nz, 4 * o.Ngf, 2 * o.Ngf, o.ResolvedImageSize, o.ResolvedChannels);
            d = DcganModels.Discriminator(o.Ndf, o.ResolvedImageSize, o.ResolvedChannels);
            g.To(backend, init);
            d.To(backend, init);
            DcganInit.Apply(g, init);
            DcganInit.Apply(d, init);
        }

        var optG = new Adam(g.Parameters(), o.ResolvedLr, o.ResolvedBeta1, o.Beta2, o.ResolvedAdamEps);
        var optD = new Adam(d.Parameters(), o.ResolvedLr, o.ResolvedBeta1, o.Beta2, o.ResolvedAdamEps);
        GanStep step = tf ? new SimultaneousGanStep(g, d, optG, optD) : new AlternatingGanStep(g, d, optG, optD);
        int nz = o.Nz;
        return new GanModel
        {
            Generator = g,
            Discriminator = d,
            OptimizerG = optG,
            OptimizerD = optD,
            Step = step,
            NoiseShape = tf ? n => new TensorShape(n, nz) : n => new TensorShape(n, nz, 1, 1),
        };
    }
}
