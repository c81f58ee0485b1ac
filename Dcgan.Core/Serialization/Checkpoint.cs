// Checkpoints of networks and their Adam optimizers in one safetensors file. Names follow PyTorch's
// state_dict (G.main.0.weight, D.main.3.running_var, D.main.3.num_batches_tracked), so the tensors load into
// an equivalent nn.Sequential; Adam's moments are optim.G.exp_avg.<name> / optim.G.exp_avg_sq.<name>.
namespace Dcgan.Serialization;

using System.Globalization;
using Dcgan.Modules;
using Dcgan.Optimizers;

/// <summary>One network of a checkpoint: a name prefix (<c>G</c>, <c>D</c>), the module, and optionally its optimizer.</summary>
/// <param name="Prefix">Prefix of every key of this network (no trailing dot).</param>
/// <param name="Module">The network, bound to a backend.</param>
/// <param name="Optimizer">The network's Adam, whose step and moments are saved too; null to skip.</param>
public sealed record CheckpointPart(string Prefix, Module Module, Adam? Optimizer = null);

/// <summary>
/// Saves and restores networks (parameters, BatchNorm buffers and <c>num_batches_tracked</c>, Dropout counters),
/// their Adam state (step, exp_avg, exp_avg_sq) and a string metadata map, atomically, in safetensors format.
/// </summary>
public static class Checkpoint
{
    private const string DropoutCallsKey = "dropout_calls.";

    /// <summary>Writes a checkpoint atomically (temporary file, flush, rename): a crash never leaves a half-written file.</summary>
    /// <exception cref="ArgumentException">Two parts share a prefix.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(string path, IReadOnlyList<CheckpointPart> parts, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Select(p => p.Prefix).Distinct(StringComparer.Ordinal).Count() != parts.Count)
        {
            throw new ArgumentException("Checkpoint parts must have distinct prefixes.", nameof(parts));
        }

        var tensors = new List<KeyValuePair<string, SafeTensorEntry>>();
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (CheckpointPart part in parts)
        {
            foreach ((string name, Parameter p) in part.Module.NamedParameters())
            {
                tensors.Add(new($"{part.Prefix}.{name}", SafeTensorEntry.FromFloat(p.Data.ToArray(), p.Shape.ToArray())));
            }

            foreach ((string name, Tensors.Tensor b) in part.Module.NamedBuffers())
            {
                tensors.Add(new($"{part.Prefix}.{name}", SafeTensorEntry.FromFloat(b.ToArray(), b.Shape.ToArray())));
            }

            foreach ((string name, Module m) in part.Module.NamedModules())
            {
                switch (m)
                {
                    case BatchNorm bn:
                        tensors.Add(new($"{part.Prefix}.{name}.num_batches_tracked", SafeTensorEntry.FromInt64([bn.NumBatchesTracked])));
                        break;
                    case Dropout d:
                        meta[$"{DropoutCallsKey}{part.Prefix}.{name}"] = d.Calls.ToString(CultureInfo.InvariantCulture);
                        break;
                }
            }

            if (part.Optimizer is { } adam)
            {
                tensors.Add(new($"optim.{part.Prefix}.step", SafeTensorEntry.FromInt64([adam.StepCount])));
                foreach ((string name, Parameter p) in part.Module.NamedParameters())
                {
                    (Tensors.Tensor m, Tensors.Tensor v) = adam.StateOf(p);
                    tensors.Add(new($"optim.{part.Prefix}.exp_avg.{name}", SafeTensorEntry.FromFloat(m.ToArray(), p.Shape.ToArray())));
                    tensors.Add(new($"optim.{part.Prefix}.exp_avg_sq.{name}", SafeTensorEntry.FromFloat(v.ToArray(), p.Shape.ToArray())));
                }
            }
        }

        SafeTensors.Write(path, tensors, meta);
    }

    /// <summary>
    /// Restores every part from <paramref name="path"/> (strictly: every expected key must be present with the
    /// expected shape) and returns the metadata. Nothing is changed when the file does not fit.
    /// </summary>
    /// <exception cref="CheckpointFormatException">
    /// The file is damaged (see <see cref="SafeTensors.Read(string)"/>) or is not a checkpoint of these networks: a
    /// tensor is missing or has another dtype or shape (the message names the key and both shapes), or a counter
    /// (<c>num_batches_tracked</c>, Adam's step, a Dropout's calls) is negative or not a whole number. The message
    /// names the file.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IReadOnlyDictionary<string, string> Load(string path, IReadOnlyList<CheckpointPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        (IReadOnlyDictionary<string, SafeTensorEntry> tensors, IReadOnlyDictionary<string, string> metadata) = SafeTensors.Read(path);
        var actions = new List<Action>();

        SafeTensorEntry Get(string key, int[] shape, string dtype)
        {
            if (!tensors.TryGetValue(key, out SafeTensorEntry? e))
            {
                throw new CheckpointFormatException(path, $"checkpoint has no tensor '{key}' (was it saved with another --arch, --nz, --ngf or --ndf?).");
            }

            if (!e.Shape.SequenceEqual(shape) || e.DType != dtype)
            {
                throw new CheckpointFormatException(path, $"tensor '{key}' is {e.DType} {SafeTensors.ShapeText(e.Shape)}; the network expects {dtype} {SafeTensors.ShapeText(shape)}.");
            }

            return e;
        }

        long Counter(string key)
        {
            long value = Get(key, [], "I64").ToInt64()[0];
            return value >= 0 ? value : throw new CheckpointFormatException(path, $"counter '{key}' is {value}; expected a whole number >= 0.");
        }

        foreach (CheckpointPart part in parts)
        {
            foreach ((string name, Parameter p) in part.Module.NamedParameters())
            {
                float[] values = Get($"{part.Prefix}.{name}", p.Shape.ToArray(), "F32").ToFloat();
                actions.Add(() => p.Data.CopyFrom(values));
            }

            foreach ((string name, Tensors.Tensor b) in part.Module.NamedBuffers())
            {
                float[] values = Get($"{part.Prefix}.{name}", b.Shape.ToArray(), "F32").ToFloat();
                actions.Add(() => b.CopyFrom(values));
            }

            foreach ((string name, Module m) in part.Module.NamedModules())
            {
                if (m is BatchNorm bn)
                {
                    long tracked = Counter($"{part.Prefix}.{name}.num_batches_tracked");
                    actions.Add(() => bn.NumBatchesTracked = tracked);
                }
                else if (m is Dropout d && metadata.TryGetValue($"{DropoutCallsKey}{part.Prefix}.{name}", out string? calls))
                {
                    if (!long.TryParse(calls, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                    {
                        throw new CheckpointFormatException(path, $"metadata '{DropoutCallsKey}{part.Prefix}.{name}' is '{(calls.Length <= 40 ? calls : calls[..40] + "...")}'; expected a whole number >= 0.");
                    }

                    actions.Add(() => d.Calls = value);
                }
            }

            if (part.Optimizer is { } adam)
            {
                long step = Counter($"optim.{part.Prefix}.step");
                actions.Add(() => adam.StepCount = step);
                foreach ((string name, Parameter p) in part.Module.NamedParameters())
                {
                    float[] m = Get($"optim.{part.Prefix}.exp_avg.{name}", p.Shape.ToArray(), "F32").ToFloat();
                    float[] v = Get($"optim.{part.Prefix}.exp_avg_sq.{name}", p.Shape.ToArray(), "F32").ToFloat();
                    (Tensors.Tensor tm, Tensors.Tensor tv) = adam.StateOf(p);
                    actions.Add(() =>
                    {
                        tm.CopyFrom(m);
                        tv.CopyFrom(v);
                    });
                }
            }
        }

        // Everything was validated before the first write, so a bad file changes nothing.
        foreach (Action a in actions)
        {
            a();
        }

        return metadata;
    }
}
