// Generator weights saved from PyTorch (safetensors.torch.save_file(netG.state_dict(), ...)) loaded into a preset's G.
// Our parameter names are PyTorch's state_dict keys (main.0.weight, main.1.running_mean, main.1.num_batches_tracked),
// so the mapping is the identity once a wrapper prefix is removed; the sizes (nz, ngf) are read from the first layer.
namespace Dcgan.Samples.Training;

using Dcgan.Modules;
using Dcgan.Serialization;

/// <summary>Reads a PyTorch generator state_dict in safetensors format and loads it strictly into a preset's generator.</summary>
public static class PyTorchWeights
{
    /// <summary>
    /// Wrapper prefixes a saved generator's keys may carry, tried in order: none (<c>netG.state_dict()</c>),
    /// <c>module.</c> (nn.DataParallel / DistributedDataParallel), <c>G.</c> (a dict of several networks, as our own
    /// checkpoints are), and both.
    /// </summary>
    public static readonly string[] Prefixes = ["", "module.", "G.", "G.module.", "module.G."];

    /// <summary>
    /// How each architecture's sizes follow from its first layer's weight shape (main.0.weight): dcgan's
    /// ConvTranspose2d is [nz, 4·ngf, 7, 7]; tf-tutorial's Linear is [4·ngf·7·7, nz]. A new preset adds a line here.
    /// </summary>
    private static readonly Dictionary<string, Func<int[], (int Nz, int Ngf)?>> SizesFromFirstWeight = new(StringComparer.Ordinal)
    {
        [Architectures.Dcgan] = s => s.Length == 4 && s[1] % 4 == 0 ? (s[0], s[1] / 4) : null,
        [Architectures.Dcgan64] = s => s.Length == 4 && s[1] % 8 == 0 && s[2] == 4 && s[3] == 4 ? (s[0], s[1] / 8) : null,
        [Architectures.TfTutorial] = s => s.Length == 2 && s[0] % (4 * 7 * 7) == 0 ? (s[1], s[0] / (4 * 7 * 7)) : null,
    };

    /// <summary>
    /// Reads <paramref name="path"/>, removes the wrapper prefix and returns the preset options (arch, nz, ngf) that fit
    /// it, with the state_dict under our names. Keys outside a non-empty prefix (another network's) are left out.
    /// </summary>
    /// <exception cref="InvalidDataException">The file has no generator of <paramref name="arch"/>; the message names the file and what was expected.</exception>
    /// <exception cref="ArgumentException"><paramref name="arch"/> is not a known architecture.</exception>
    public static (TrainOptions Options, IReadOnlyDictionary<string, SafeTensorEntry> StateDict) Read(string path, string arch)
    {
        if (!SizesFromFirstWeight.TryGetValue(arch, out var sizes))
        {
            throw new ArgumentException($"--arch is '{arch}'; --weights reads generators of: {string.Join(", ", SizesFromFirstWeight.Keys)}.");
        }

        (IReadOnlyDictionary<string, SafeTensorEntry> tensors, _) = SafeTensors.Read(path);
        string? prefix = Prefixes.FirstOrDefault(p => tensors.ContainsKey(p + "main.0.weight"));
        if (prefix is null)
        {
            string keys = string.Join(", ", tensors.Keys.Take(5)) + (tensors.Count > 5 ? $", ... ({tensors.Count} keys)" : string.Empty);
            throw new InvalidDataException($"{path}: no generator state_dict: expected a key main.0.weight (optionally under {string.Join(", ", Prefixes.Skip(1))}); the file has {(tensors.Count == 0 ? "no tensors" : keys)}.");
        }

        var stateDict = tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key[prefix.Length..], t => t.Value, StringComparer.Ordinal);
        int[] first = stateDict["main.0.weight"].Shape;
        if (sizes(first) is not { } s)
        {
            throw new InvalidDataException($"{path}: {prefix}main.0.weight is [{string.Join(", ", first)}], which is not the first layer of a {arch} generator (expected {arch switch { Architectures.TfTutorial => "[4·ngf·7·7, nz]", Architectures.Dcgan64 => "[nz, 8·ngf, 4, 4]", _ => "[nz, 4·ngf, 7, 7]" }}).");
        }

        return (new TrainOptions { Arch = arch, Nz = s.Nz, Ngf = s.Ngf, Ndf = s.Ngf }, stateDict);
    }

    /// <summary>
    /// Copies <paramref name="stateDict"/> into <paramref name="generator"/> as PyTorch's <c>load_state_dict(strict=True)</c>:
    /// every parameter and buffer present with its shape (float32 or float64), <c>num_batches_tracked</c> as int64, no
    /// other key. Nothing is changed when the dictionary does not fit.
    /// </summary>
    /// <exception cref="InvalidDataException">Keys are missing, extra or mis-shaped: all of them named in one line.</exception>
    public static void Load(IReadOnlyDictionary<string, SafeTensorEntry> stateDict, Module generator, string path)
    {
        var expected = new List<(string Key, int[] Shape, bool Int64, Action<SafeTensorEntry> Apply)>();
        foreach ((string name, Parameter p) in generator.NamedParameters())
        {
            expected.Add((name, p.Shape.ToArray(), false, e => p.Data.CopyFrom(e.ToFloat())));
        }

        foreach ((string name, Tensors.Tensor b) in generator.NamedBuffers())
        {
            expected.Add((name, b.Shape.ToArray(), false, e => b.CopyFrom(e.ToFloat())));
        }

        foreach ((string name, Module m) in generator.NamedModules())
        {
            if (m is BatchNorm bn)
            {
                expected.Add(($"{name}.num_batches_tracked", [], true, e => bn.NumBatchesTracked = e.ToInt64()[0]));
            }
        }

        var missing = new List<string>();
        var misShaped = new List<string>();
        foreach ((string key, int[] shape, bool int64, _) in expected)
        {
            if (!stateDict.TryGetValue(key, out SafeTensorEntry? e))
            {
                missing.Add(key);
            }
            else if (!e.Shape.SequenceEqual(shape) || (int64 ? e.DType != "I64" : e.DType is not ("F32" or "F64")))
            {
                misShaped.Add($"{key} is {e.DType} [{string.Join(", ", e.Shape)}], expected {(int64 ? "I64" : "F32")} [{string.Join(", ", shape)}]");
            }
        }

        var known = expected.Select(x => x.Key).ToHashSet(StringComparer.Ordinal);
        var extra = stateDict.Keys.Where(k => !known.Contains(k)).ToList();
        if (missing.Count + misShaped.Count + extra.Count > 0)
        {
            var problems = new List<string>();
            if (missing.Count > 0)
            {
                problems.Add($"missing {string.Join(", ", missing)}");
            }

            if (extra.Count > 0)
            {
                problems.Add($"unexpected {string.Join(", ", extra)}");
            }

            problems.AddRange(misShaped);
            throw new InvalidDataException($"{path}: does not fit the generator: {string.Join("; ", problems)}.");
        }

        // Everything was checked before the first copy, so a bad file changes nothing.
        foreach ((string key, _, _, Action<SafeTensorEntry> apply) in expected)
        {
            apply(stateDict[key]);
        }
    }
}
