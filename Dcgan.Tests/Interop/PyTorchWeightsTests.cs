// dcgan generate --weights: a generator state_dict in PyTorch's names (with or without a G. or module. prefix)
// loads into the preset's G with nz and ngf read from its shapes; missing, extra and mis-shaped keys are named.
namespace Dcgan.Tests.Interop;

using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tests.Samples;
using Dcgan.Tests.Support;

public sealed class PyTorchWeightsTests(ITestOutputHelper output)
{
    /// <summary>A module's state_dict as torch.save_file writes it: float32 tensors, int64 num_batches_tracked.</summary>
    internal static List<KeyValuePair<string, SafeTensorEntry>> StateDictOf(Module module, string prefix = "")
    {
        var entries = module.NamedParameters().Select(p => KeyValuePair.Create(prefix + p.Name, SafeTensorEntry.FromFloat(p.Parameter.Data.ToArray(), p.Parameter.Shape.ToArray())))
            .Concat(module.NamedBuffers().Select(b => KeyValuePair.Create(prefix + b.Name, SafeTensorEntry.FromFloat(b.Buffer.ToArray(), b.Buffer.Shape.ToArray()))))
            .Concat(module.NamedModules().Where(m => m.Module is BatchNorm).Select(m => KeyValuePair.Create($"{prefix}{m.Name}.num_batches_tracked", SafeTensorEntry.FromInt64([((BatchNorm)m.Module).NumBatchesTracked]))));
        return [.. entries];
    }

    [Theory]
    [InlineData(Architectures.Dcgan, "")]
    [InlineData(Architectures.Dcgan, "module.")]
    [InlineData(Architectures.TfTutorial, "G.")]
    [InlineData(Architectures.TfTutorial, "G.module.")]
    public void State_dict_loads_with_sizes_read_from_the_shapes(string arch, string prefix)
    {
        using var folder = new TempFolder();
        var backend = new CpuBackend(threads: 1);
        using GanModel source = Presets.Build(new TrainOptions { Arch = arch, Nz = 12, Ngf = 8 }, backend, new RandomSource(1));
        foreach (BatchNorm bn in source.Generator.Modules().OfType<BatchNorm>())
        {
            bn.RunningMean.CopyFrom(Enumerable.Range(0, bn.NumFeatures).Select(i => 0.01f * i).ToArray());
            bn.NumBatchesTracked = 42;
        }

        string path = folder.File("g.safetensors");
        var entries = StateDictOf(source.Generator, prefix);
        if (prefix == "G.")
        {
            // Another network's keys beside G's are left alone, as in our own checkpoints.
            entries.Add(KeyValuePair.Create("D.main.0.weight", SafeTensorEntry.FromFloat([1f], 1)));
        }

        SafeTensors.Write(path, entries);
        (TrainOptions o, IReadOnlyDictionary<string, SafeTensorEntry> stateDict) = PyTorchWeights.Read(path, arch);
        Assert.Equal((arch, 12, 8), (o.Arch, o.Nz, o.Ngf));
        using GanModel target = Presets.Build(o, backend, new RandomSource(2));
        PyTorchWeights.Load(stateDict, target.Generator, path);

        foreach (((string name, Parameter p), (_, Parameter q)) in source.Generator.NamedParameters().Zip(target.Generator.NamedParameters()))
        {
            Assert.True(p.Data.ToArray().SequenceEqual(q.Data.ToArray()), name);
        }

        Assert.Equal(source.Generator.NamedBuffers().SelectMany(b => b.Buffer.ToArray()), target.Generator.NamedBuffers().SelectMany(b => b.Buffer.ToArray()));
        Assert.All(target.Generator.Modules().OfType<BatchNorm>(), bn => Assert.Equal(42, bn.NumBatchesTracked));
    }

    [Fact]
    public void Missing_extra_and_mis_shaped_keys_are_all_named_and_nothing_is_loaded()
    {
        using var folder = new TempFolder();
        var backend = new CpuBackend(threads: 1);
        using GanModel source = Presets.Build(new TrainOptions { Nz = 12, Ngf = 8 }, backend, new RandomSource(1));
        var entries = StateDictOf(source.Generator).Where(e => e.Key != "main.1.running_var").ToList();
        entries.Add(KeyValuePair.Create("main.9.weight", SafeTensorEntry.FromFloat([1f, 2f], 2)));
        int i = entries.FindIndex(e => e.Key == "main.3.weight");
        entries[i] = KeyValuePair.Create("main.3.weight", SafeTensorEntry.FromFloat(new float[32 * 16 * 3 * 3], 32, 16, 3, 3));
        string path = folder.File("bad.safetensors");
        SafeTensors.Write(path, entries);

        (TrainOptions o, var stateDict) = PyTorchWeights.Read(path, Architectures.Dcgan);
        using GanModel target = Presets.Build(o, backend, new RandomSource(2));
        float[] before = target.Generator.FlatParameters!.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => PyTorchWeights.Load(stateDict, target.Generator, path));
        output.WriteLine(e.Message);
        Assert.Contains("missing main.1.running_var", e.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected main.9.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("main.3.weight is F32 [32, 16, 3, 3], expected F32 [32, 16, 4, 4]", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(before, target.Generator.FlatParameters!.ToArray());

        // No generator at all, or a first layer of another architecture, says so.
        string d = folder.File("d.safetensors");
        SafeTensors.Write(d, StateDictOf(source.Discriminator, "netD."));
        Assert.Contains("main.0.weight", Assert.Throws<InvalidDataException>(() => PyTorchWeights.Read(d, Architectures.Dcgan)).Message, StringComparison.Ordinal);
        string g = folder.File("g.safetensors");
        SafeTensors.Write(g, StateDictOf(source.Generator));
        output.WriteLine(Assert.Throws<InvalidDataException>(() => PyTorchWeights.Read(g, Architectures.TfTutorial)).Message);
    }

    [Fact]
    public void Generate_with_weights_writes_samples_and_names_a_bad_key_in_one_line()
    {
        using var folder = new TempFolder();
        var backend = new CpuBackend(threads: 1);
        using GanModel source = Presets.Build(new TrainOptions { Arch = Architectures.TfTutorial, Nz = 12, Ngf = 8 }, backend, new RandomSource(1));
        string good = folder.File("g.safetensors");
        SafeTensors.Write(good, StateDictOf(source.Generator, "module."));
        string png = folder.File("samples.png");
        var ok = CommandLineTests.Dcgan($"generate --weights \"{good}\" --arch tf-tutorial --count 4 --out \"{png}\"");
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.True(new FileInfo(png).Length > 100);

        string bad = folder.File("bad.safetensors");
        SafeTensors.Write(bad, StateDictOf(source.Generator).Where(e => e.Key != "main.4.weight"));
        var refused = CommandLineTests.Dcgan($"generate --weights \"{bad}\" --arch tf-tutorial --out \"{folder.File("x.png")}\"");
        output.WriteLine(refused.Err);
        Assert.Equal(2, refused.Exit);
        Assert.Single(refused.Err.Trim().Split('\n'));
        Assert.Contains("missing main.4.weight", refused.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("x.png")));

        var noArch = CommandLineTests.Dcgan($"generate --weights \"{good}\" --out \"{folder.File("y.png")}\"");
        output.WriteLine(noArch.Err);
        Assert.Equal(2, noArch.Exit);
        Assert.Contains("--arch", noArch.Err, StringComparison.Ordinal);
    }
}
