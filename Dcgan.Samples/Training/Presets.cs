// The architecture presets, each one record: its defaults, its networks, its step, its noise shape and its help
// text. Options, help, the trainer, bench, generate and export all read them from here.
namespace Dcgan.Samples.Training;

using Dcgan.Backends;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Optimizers;
using Dcgan.Tensors;
using Dcgan.Training;

/// <summary>The names of the architecture presets (<c>--arch</c>).</summary>
public static class Architectures
{
    public const string Dcgan = "dcgan";
    public const string Dcgan64 = "dcgan64";
    public const string TfTutorial = "tf-tutorial";
    public static readonly string[] All = [Dcgan, Dcgan64, TfTutorial];
}

/// <summary>The shape of one image: channels × height × width.</summary>
public sealed record ImageGeometry(int Channels, int Height, int Width)
{
    /// <summary>28×28 grey, MNIST's.</summary>
    public static ImageGeometry Mnist { get; } = new(1, 28, 28);

    public override string ToString() => $"{Channels}×{Height}×{Width}";
}

/// <summary>G, D, their optimizers and the training step of one preset, bound to a backend.</summary>
public sealed class GanModel : IDisposable
{
    public required Network Generator { get; init; }
    public required Network Discriminator { get; init; }
    public required Adam OptimizerG { get; init; }
    public required Adam OptimizerD { get; init; }
    public required GanStep Step { get; init; }

    /// <summary>The image shape G makes and D reads.</summary>
    public required ImageGeometry Geometry { get; init; }

    /// <summary>The number of classes of a conditional model; 0 for an unconditional one.</summary>
    public int NumClasses { get; init; }

    /// <summary>
    /// G's input on the host for <paramref name="noise"/> (count × nz floats): the noise itself, or for a conditional model
    /// cat(noise, onehot(<paramref name="labels"/>)); with its shape.
    /// </summary>
    /// <exception cref="ArgumentException">A conditional model got no labels, or an unconditional one got some.</exception>
    public (float[] Input, TensorShape Shape) GeneratorInput(float[] noise, int count, int[]? labels)
    {
        TensorShape shape = NoiseShape(count);
        if (NumClasses == 0)
        {
            if (labels is not null)
            {
                throw new ArgumentException("This model is not conditional: it takes no class labels.", nameof(labels));
            }

            return (noise, shape);
        }

        if (labels is null || labels.Length != count)
        {
            throw new ArgumentException($"This conditional model needs one class label per sample ({count}).", nameof(labels));
        }

        return (ConditionalGanStep.GeneratorInput(noise, labels, NumClasses), new TensorShape(count, shape[1] + NumClasses, 1, 1));
    }

    /// <summary>The noise shape for a batch: [N, nz, 1, 1] for the convolutional presets, [N, nz] for tf-tutorial.</summary>
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

/// <summary>One architecture preset: its defaults, networks, training step and noise shape.</summary>
public sealed record Preset
{
    /// <summary>The <c>--arch</c> name.</summary>
    public required string Name { get; init; }

    /// <summary>One phrase for the help text.</summary>
    public required string Description { get; init; }

    /// <summary>The channel widths in terms of ngf and ndf, for the help text.</summary>
    public required string Widths { get; init; }

    public required int BatchSize { get; init; }
    public required double Lr { get; init; }
    public required double Beta1 { get; init; }
    public required double AdamEps { get; init; }
    public required float Dropout { get; init; }

    /// <summary>The image shape when the data does not say (bench, old checkpoints).</summary>
    public required ImageGeometry DefaultGeometry { get; init; }

    /// <summary>Whether --conditional applies (the label joins G's noise and D's image on the channel axis).</summary>
    public required bool SupportsConditional { get; init; }

    /// <summary>True for TensorFlow's simultaneous step, false for pytorch/examples' alternating one.</summary>
    public required bool Simultaneous { get; init; }

    /// <summary>Noise shape from (batch, nz).</summary>
    public required Func<int, int, TensorShape> NoiseShape { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming both when the preset cannot make images of <paramref name="g"/>.</summary>
    public required Action<ImageGeometry> CheckGeometry { get; init; }

    /// <summary>Creates G and D (unbound) for the settings and image shape; <paramref name="init"/> seeds dropout.</summary>
    public required Func<TrainOptions, ImageGeometry, RandomSource, (Network G, Network D)> Networks { get; init; }

    /// <summary>Initialises bound networks (DCGAN's N(0, 0.02) or Keras' Glorot).</summary>
    public required Action<Network, RandomSource> Initialise { get; init; }
}

public static class Presets
{
    /// <summary>Radford et al.'s DCGAN laid out as pytorch/examples for S×S images, S a multiple of 4 (28 for MNIST).</summary>
    public static Preset Dcgan { get; } = new()
    {
        Name = Architectures.Dcgan,
        Description = "Radford et al.'s DCGAN, three layers each way, for S×S images with S a multiple of 4 (28×28 MNIST, 32×32 CIFAR-10)",
        Widths = "G 4·ngf, 2·ngf; D ndf, 2·ndf",
        BatchSize = 128,
        Lr = 2e-4,
        Beta1 = 0.5,
        AdamEps = 1e-8,
        Dropout = 0f,
        DefaultGeometry = ImageGeometry.Mnist,
        SupportsConditional = true,
        Simultaneous = false,
        NoiseShape = (n, nz) => new TensorShape(n, nz, 1, 1),
        CheckGeometry = g =>
        {
            if (g.Height != g.Width || g.Height < 8 || g.Height % 4 != 0)
            {
                throw new ArgumentException($"--arch dcgan needs square images whose side is a multiple of 4 (at least 8); the data is {g.Height}×{g.Width}. Pass --image-size (for example 32 or 64).");
            }
        },
        Networks = (o, g, _) => (
            DcganModels.Generator(o.Nz, 4 * o.Ngf, 2 * o.Ngf, g.Height, g.Channels),
            DcganModels.Discriminator(o.Ndf, g.Height, g.Channels)),
        Initialise = DcganInit.Apply,
    };

    /// <summary>pytorch/examples' dcgan/main.py networks exactly: 64×64, five layers each, any number of channels.</summary>
    public static Preset Dcgan64 { get; } = new()
    {
        Name = Architectures.Dcgan64,
        Description = "pytorch/examples' 64×64 DCGAN, five layers each way, colour or grey",
        Widths = "G 8·ngf, 4·ngf, 2·ngf, ngf; D ndf, 2·ndf, 4·ndf, 8·ndf",
        BatchSize = 128,
        Lr = 2e-4,
        Beta1 = 0.5,
        AdamEps = 1e-8,
        Dropout = 0f,
        DefaultGeometry = new ImageGeometry(3, Dcgan64Models.ImageSize, Dcgan64Models.ImageSize),
        SupportsConditional = true,
        Simultaneous = false,
        NoiseShape = (n, nz) => new TensorShape(n, nz, 1, 1),
        CheckGeometry = g =>
        {
            if (g.Height != Dcgan64Models.ImageSize || g.Width != Dcgan64Models.ImageSize)
            {
                throw new ArgumentException($"--arch dcgan64 makes 64×64 images; the data is {g.Height}×{g.Width}. Pass --image-size 64 (image folders, CIFAR-10), or use --arch dcgan for {g.Height}×{g.Width}.");
            }
        },
        Networks = (o, g, _) => (
            Dcgan64Models.Generator(o.Nz, o.Ngf, g.Channels),
            Dcgan64Models.Discriminator(o.Ndf, g.Channels)),
        Initialise = DcganInit.Apply,
    };

    /// <summary>TensorFlow's DCGAN tutorial: Dense → 7×7×256, 5×5 kernels, Dropout 0.3, Adam 1e-4, the simultaneous step.</summary>
    public static Preset TfTutorial { get; } = new()
    {
        Name = Architectures.TfTutorial,
        Description = "TensorFlow's DCGAN tutorial (Dense → 7×7×256, 5×5 kernels, dropout 0.3), 28×28 grey",
        Widths = "G 4·ngf, 2·ngf, ngf; D ndf, 2·ndf",
        BatchSize = 256,
        Lr = 1e-4,
        Beta1 = 0.9,
        AdamEps = 1e-7,
        Dropout = 0.3f,
        DefaultGeometry = ImageGeometry.Mnist,
        SupportsConditional = false,
        Simultaneous = true,
        NoiseShape = (n, nz) => new TensorShape(n, nz),
        CheckGeometry = g =>
        {
            if (g != ImageGeometry.Mnist)
            {
                throw new ArgumentException($"--arch tf-tutorial makes 28×28 grey images (1×28×28); the data is {g}. Use --arch dcgan or dcgan64.");
            }
        },
        Networks = (o, _, init) => (
            TfTutorialModels.Generator(o.Nz, 4 * o.Ngf, 2 * o.Ngf, o.Ngf),
            TfTutorialModels.Discriminator(o.Ndf, 2 * o.Ndf, dropout: o.ResolvedDropout, dropoutSeed: init.Fork("dropout").NextUInt64())),
        Initialise = TfTutorialModels.InitKeras,
    };

    /// <summary>Every preset, the default first.</summary>
    public static IReadOnlyList<Preset> All { get; } = [Dcgan, Dcgan64, TfTutorial];

    /// <summary>The preset named <paramref name="name"/>, or null.</summary>
    public static Preset? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The preset named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No preset has that name.</exception>
    public static Preset Get(string name) =>
        Find(name) ?? throw new ArgumentException($"--arch is '{name}'; expected one of: {string.Join(", ", Architectures.All)}.");

    /// <summary>"dcgan 128, dcgan64 128, tf-tutorial 256": one default per preset, for help texts.</summary>
    public static string Defaults<T>(Func<Preset, T> value) => string.Join(", ", All.Select(p => $"{p.Name} {value(p)}"));

    /// <summary>
    /// The image shape of <paramref name="o"/>'s run: its data record's; else --image-size and --channels (or their dataset
    /// defaults); for settings that name no data (bench, PyTorch weights) the preset's own.
    /// </summary>
    public static ImageGeometry GeometryOf(TrainOptions o) =>
        o.DataUsed is { } d ? new ImageGeometry(d.Channels, d.Height, d.Width)
        : o.ImageSize is null && o.Channels is null && o.Dataset == "mnist" ? Get(o.Arch).DefaultGeometry
        : new ImageGeometry(o.ResolvedChannels, o.ResolvedImageSize, o.ResolvedImageSize);

    /// <summary>Builds <paramref name="o"/>'s preset for the image shape of <see cref="GeometryOf"/>.</summary>
    public static GanModel Build(TrainOptions o, IBackend backend, RandomSource init) => Build(o, GeometryOf(o), backend, init);

    /// <summary>
    /// G and D of <paramref name="o"/>'s preset for <see cref="GeometryOf"/>, not yet bound to a backend: their parameters
    /// have shapes but no memory, so a checkpoint's config can be sized before anything is allocated.
    /// </summary>
    /// <exception cref="ArgumentException">The preset cannot make that image shape, or a layer would have a negative size or
    /// more than 2³¹ − 1 elements.</exception>
    public static (Network Generator, Network Discriminator) Networks(TrainOptions o, RandomSource init)
    {
        ImageGeometry geometry = GeometryOf(o);
        Get(o.Arch).CheckGeometry(geometry);
        return CreateNetworks(o, geometry, init);
    }

    // A conditional model widens G's input by the classes (noise + one-hot) and D's by as many channels (image + maps).
    private static (Network G, Network D) CreateNetworks(TrainOptions o, ImageGeometry geometry, RandomSource init)
    {
        Preset preset = Get(o.Arch);
        if (!o.Conditional)
        {
            return preset.Networks(o, geometry, init);
        }

        (Network g, Network unusedD) = preset.Networks(o with { Nz = o.Nz + o.NumClasses }, geometry, init);
        (Network unusedG, Network d) = preset.Networks(o, geometry with { Channels = geometry.Channels + o.NumClasses }, init);
        unusedD.Dispose();
        unusedG.Dispose();
        return (g, d);
    }

    /// <summary>
    /// Builds a preset on <paramref name="backend"/> for images of <paramref name="geometry"/>, with its initialisation
    /// drawn from <paramref name="init"/>, Adam for both networks and the preset's step.
    /// </summary>
    /// <exception cref="ArgumentException">The preset cannot make images of that shape (one line naming both).</exception>
    public static GanModel Build(TrainOptions o, ImageGeometry geometry, IBackend backend, RandomSource init)
    {
        Preset preset = Get(o.Arch);
        preset.CheckGeometry(geometry);
        (Network g, Network d) = CreateNetworks(o, geometry, init);
        g.To(backend, init);
        d.To(backend, init);
        preset.Initialise(g, init);
        preset.Initialise(d, init);
        var optG = new Adam(g.Parameters(), o.ResolvedLr, o.ResolvedBeta1, o.Beta2, o.ResolvedAdamEps);
        var optD = new Adam(d.Parameters(), o.ResolvedLr, o.ResolvedBeta1, o.Beta2, o.ResolvedAdamEps);
        GanStep step = o.Conditional ? new ConditionalGanStep(g, d, optG, optD, o.NumClasses)
            : preset.Simultaneous ? new SimultaneousGanStep(g, d, optG, optD)
            : new AlternatingGanStep(g, d, optG, optD);
        int nz = o.Nz;
        return new GanModel
        {
            Generator = g,
            Discriminator = d,
            OptimizerG = optG,
            OptimizerD = optD,
            Step = step,
            Geometry = geometry,
            NumClasses = o.Conditional ? o.NumClasses : 0,
            NoiseShape = n => preset.NoiseShape(n, nz),
        };
    }
}
