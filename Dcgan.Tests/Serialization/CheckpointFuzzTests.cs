// Thousands of seeded random mutations of a valid checkpoint (bits flipped, header length, offsets and shapes
// changed, fields removed or given the wrong JSON type, huge numbers, config and counters damaged, truncation,
// bytes appended, data re-laid out) read through both reader paths: resume (Trainer.LoadCheckpoint, which is
// Checkpoint.Load plus the counters) and generate (CheckpointReader.ReadConfig, Presets.Build, Checkpoint.Load).
// Each must load correctly (checked against an independent decode of the bytes) or throw
// CheckpointFormatException, allocating at most 64 × the file's size + 1 MB.
namespace Dcgan.Tests.Serialization;

using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tests.Support;
using Dcgan.Tests.Training;

public sealed class CheckpointFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 3000;
    private const int Seed = 20240610;

    private static readonly JsonNode?[] OddValues =
    [
        -1, 0, 1, 3, 2147483647, 2147483648L, 4294967296L, long.MaxValue, ulong.MaxValue, -9223372036854775807L,
        1.5, 1e300, -0.0, "3", string.Empty, "F32", null, true, new JsonArray(), new JsonArray(1, 2, 3), new JsonObject(),
    ];

    private static readonly string[] OddNumbers =
    [
        "0", "1", "-1", "7", "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "1e30", "1.5", "-0", "99999999999999999999999999999999999999",
    ];

    [Fact]
    public async Task Random_damage_gives_a_clean_error_or_a_correct_load()
    {
        byte[] valid = DamagedCheckpointTests.Valid;
        using var dir = new TempFolder();
        string path = dir.File("fuzz.safetensors");
        using var cpu = new CpuBackend(1);
        using var trainer = new Trainer(CheckpointBytes.Tiny(), TrainerTests.Synthetic(24), cpu, new TrainerTests.SilentReporter(), null, dir.File("run"));
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var examples = new SortedDictionary<string, string>(StringComparer.Ordinal);
        double slowestMs = 0, worstRatio = 0;
        int slowestCase = -1, worstCase = -1;

        // A hang would never end the loop: it runs on a worker, and the test fails (TimeoutException) if it has not
        // finished after minutes. That is a hang detector, not a timing check.
        var total = Stopwatch.StartNew();
        var run = Task.Run(() =>
        {
            for (int i = 0; i < Cases; i++)
            {
                (byte[] bytes, string what) = Mutate(valid, new Random(Seed + i));
                string Name(string stage) => $"{stage} case {i} (seed {Seed + i}: {what})";

                // Overwritten in place, never truncated to zero or deleted: both make ext4 flush to disk, slow on a busy machine.
                using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
                {
                    stream.Write(bytes);
                    stream.SetLength(bytes.Length);
                }

                var clock = Stopwatch.StartNew();
                long before = GC.GetAllocatedBytesForCurrentThread();
                string? resume = Classify(Name("resume"), () => trainer.LoadCheckpoint(path));
                long allocatedResume = GC.GetAllocatedBytesForCurrentThread() - before;
                GanModel? model = null;
                before = GC.GetAllocatedBytesForCurrentThread();
                string? generate = Classify(Name("generate"), () =>
                {
                    TrainOptions o = CheckpointReader.ReadConfig(path);
                    model = Presets.Build(o, cpu, new RandomSource(0));
                    Checkpoint.Load(path, [new CheckpointPart("G", model.Generator)]);
                });
                long allocatedGenerate = GC.GetAllocatedBytesForCurrentThread() - before;
                clock.Stop();
                using (model)
                {
                    var file = CheckpointBytes.Split(bytes);
                    if (resume is null)
                    {
                        VerifyResume(trainer, file, Name("resume"));
                    }

                    if (generate is null)
                    {
                        foreach ((string name, Parameter p) in model!.Generator.NamedParameters())
                        {
                            Same(file, $"G.{name}", p.Data.ToArray(), Name("generate"));
                        }
                    }
                }

                long limit = (64L * bytes.Length) + (1 << 20);
                Assert.True(allocatedResume <= limit, $"{Name("resume")}: {allocatedResume} bytes allocated for a {bytes.Length}-byte file (limit {limit})");
                Assert.True(allocatedGenerate <= limit, $"{Name("generate")}: {allocatedGenerate} bytes allocated for a {bytes.Length}-byte file (limit {limit})");
                string mutation = what.Split(' ')[0];
                Count(outcomes, $"resume: {Outcome(resume)}");
                Count(outcomes, $"generate: {Outcome(generate)}");
                Count(outcomes, $"mutation {mutation}: {(resume is null ? "loaded" : "rejected")}");
                if (resume is not null)
                {
                    examples.TryAdd(mutation, $"{what}: {resume}");
                }

                if (clock.Elapsed.TotalMilliseconds > slowestMs)
                {
                    (slowestMs, slowestCase) = (clock.Elapsed.TotalMilliseconds, i);
                }

                double ratio = (double)Math.Max(allocatedResume, allocatedGenerate) / Math.Max(bytes.Length, 1);
                if (ratio > worstRatio)
                {
                    (worstRatio, worstCase) = (ratio, i);
                }
            }
        }, TestContext.Current.CancellationToken);
        await run.WaitAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken);

        foreach ((string outcome, int count) in outcomes)
        {
            output.WriteLine($"{count,6}  {outcome}");
        }

        foreach ((string mutation, string message) in examples)
        {
            output.WriteLine($"example ({mutation}): {message}");
        }

        output.WriteLine($"{Cases} cases on a {valid.Length}-byte checkpoint in {total.Elapsed.TotalSeconds:F1} s; slowest case {slowestCase}: {slowestMs:F1} ms (both paths, JIT included); most allocation: case {worstCase}, {worstRatio:F1} x its file's size (limit 64 x + 1 MB)");

        // The mutations must reach both outcomes on both paths, or the fuzzer tests nothing.
        Assert.True(outcomes.GetValueOrDefault("resume: loaded") > Cases / 20, "too few mutated files loaded");
        Assert.True(outcomes.GetValueOrDefault("generate: loaded") > Cases / 20, "too few mutated files loaded for generate");
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("resume: rejected", StringComparison.Ordinal)) > 5, "too few kinds of rejection");
        Assert.True(outcomes.Keys.Count(k => k.StartsWith("generate: rejected", StringComparison.Ordinal)) > 5, "too few kinds of rejection for generate");
    }

    // Null for a load, the message for a CheckpointFormatException; anything else fails the test naming the case.
    private static string? Classify(string name, Action load)
    {
        try
        {
            load();
            return null;
        }
        catch (CheckpointFormatException e)
        {
            if (e.Message.Contains('\n', StringComparison.Ordinal) || e.Message.Contains("System.", StringComparison.Ordinal) || e.Message.Length > 500)
            {
                Assert.Fail($"{name}: message not one short line in words: {e.Message}");
            }

            return e.Message;
        }
        catch (Exception e)
        {
            Assert.Fail($"{name}: threw {e.GetType().Name} instead of CheckpointFormatException: {e}");
            return null;
        }
    }

    // "loaded", or "rejected: " and the kind of problem (the message up to its first quoted name, numbers as N).
    private static string Outcome(string? message) =>
        message is null ? "loaded" : "rejected: " + Regex.Replace(message[(message.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split('\'')[0], "[0-9]+", "N").Trim();

    // Every tensor the resume loaded must hold exactly the bytes its header entry points at.
    private static void VerifyResume(Trainer trainer, (JsonObject? Header, byte[] Data) file, string name)
    {
        foreach (var (prefix, module, adam) in new[] { ("G", (Module)trainer.Model.Generator, trainer.Model.OptimizerG), ("D", trainer.Model.Discriminator, trainer.Model.OptimizerD) })
        {
            foreach ((string key, Parameter p) in module.NamedParameters())
            {
                Same(file, $"{prefix}.{key}", p.Data.ToArray(), name);
                (Tensors.Tensor m, Tensors.Tensor v) = adam.StateOf(p);
                Same(file, $"optim.{prefix}.exp_avg.{key}", m.ToArray(), name);
                Same(file, $"optim.{prefix}.exp_avg_sq.{key}", v.ToArray(), name);
            }

            foreach ((string key, Tensors.Tensor b) in module.NamedBuffers())
            {
                Same(file, $"{prefix}.{key}", b.ToArray(), name);
            }

            Assert.Equal(CheckpointBytes.Reference(file.Header, file.Data, $"optim.{prefix}.step"), new double[] { adam.StepCount });
        }

        Assert.Equal(file.Header?["__metadata__"]?["epoch"]?.GetValue<string>(), trainer.EpochsDone.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Same((JsonObject? Header, byte[] Data) file, string key, float[] loaded, string name)
    {
        double[]? expected = CheckpointBytes.Reference(file.Header, file.Data, key);
        Assert.True(expected is not null, $"{name}: loaded '{key}' but an independent decode of the file finds no such F32 tensor");
        Assert.True(expected.Length == loaded.Length, $"{name}: '{key}' loaded {loaded.Length} values; the file holds {expected.Length}");
        for (int i = 0; i < loaded.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits((float)expected[i]) != BitConverter.SingleToInt32Bits(loaded[i]))
            {
                Assert.Fail($"{name}: '{key}'[{i}] loaded as {loaded[i]}; the file holds {expected[i]}");
            }
        }
    }

    private static void Count(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    /// <summary>One to three random mutations of <paramref name="file"/>, and what they were.</summary>
    private static (byte[] Bytes, string What) Mutate(byte[] file, Random r)
    {
        int n = r.Next(10) < 7 ? 1 : r.Next(2, 4);
        var what = new List<string>();
        for (int k = 0; k < n; k++)
        {
            (file, string w) = MutateOnce(file, r);
            what.Add(w);
        }

        return (file, string.Join(" + ", what));
    }

    private static (byte[] Bytes, string What) MutateOnce(byte[] file, Random r)
    {
        (JsonObject? header, byte[] data) = CheckpointBytes.Split(file);
        int kind = r.Next(14);
        if (header is null && kind >= 5)
        {
            kind = r.Next(5);
        }

        JsonObject json = header ?? [];
        int headerEnd = header is null ? Math.Min(file.Length, 4096) : file.Length - data.Length;
        switch (kind)
        {
            case 0:
            {
                byte[] copy = [.. file];
                int flips = r.Next(1, 5);
                for (int i = 0; i < flips && headerEnd > 0; i++)
                {
                    copy[r.Next(headerEnd)] ^= (byte)(1 << r.Next(8));
                }

                return (copy, $"header-bits {flips} flipped");
            }

            case 1:
            {
                byte[] copy = [.. file];
                int at = r.Next(copy.Length);
                copy[at] = (byte)r.Next(256);
                return (copy, $"data-byte {at} set");
            }

            case 2:
            {
                byte[] copy = [.. file];
                if (copy.Length < 8)
                {
                    return (copy, "length-field (file too short)");
                }

                ulong old = BinaryPrimitives.ReadUInt64LittleEndian(copy);
                ulong value = r.Next(8) switch
                {
                    0 => old + (ulong)r.Next(1, 17),
                    1 => old - (ulong)r.Next(1, 17),
                    2 => 0,
                    3 => 1UL << r.Next(20, 64),
                    4 => ulong.MaxValue,
                    5 => (ulong)copy.Length,
                    6 => (ulong)copy.Length - 8,
                    _ => (ulong)r.NextInt64(),
                };
                BinaryPrimitives.WriteUInt64LittleEndian(copy, value);
                return (copy, $"length-field {value}");
            }

            case 3:
            {
                int length = r.Next(file.Length);
                return (file[..length], $"truncated to {length}");
            }

            case 4:
            {
                var garbage = new byte[r.Next(1, 65)];
                r.NextBytes(garbage);
                return ([.. file, .. garbage], $"appended {garbage.Length} bytes");
            }

            case 5:
            case 6:
            {
                // A number in the header text (a shape dim, an offset, a digit of a config value) replaced.
                string text = CheckpointBytes.HeaderText(file)!;
                var digits = Enumerable.Range(0, text.Length).Where(i => char.IsAsciiDigit(text[i]) && (i == 0 || !char.IsAsciiDigit(text[i - 1]))).ToList();
                if (digits.Count == 0)
                {
                    return ([.. file], "number (none)");
                }

                int at = digits[r.Next(digits.Count)];
                int end = at;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                {
                    end++;
                }

                string number = r.Next(3) == 0 && long.TryParse(text[at..end], out long old)
                    ? Math.Max(0, old + r.Next(-8, 9)).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : OddNumbers[r.Next(OddNumbers.Length)];
                return (CheckpointBytes.Join(text[..at] + number + text[end..], data), $"number {text[at..end]} -> {number}");
            }

            case 7:
            {
                // A character of the header text deleted, or a JSON punctuation inserted.
                string text = CheckpointBytes.HeaderText(file)!.TrimEnd();
                int at = r.Next(text.Length);
                string edited = r.Next(2) == 0 ? text.Remove(at, 1) : text.Insert(at, "{}[],:\"\\ 0-e."[r.Next(13)].ToString());
                return (CheckpointBytes.Join(edited, data), $"header-text edited at {at}");
            }

            case 8:
            case 9:
            {
                // A field of a tensor's entry removed or given an odd value; or the entry itself.
                var names = json.Where(p => p.Key != "__metadata__").Select(p => p.Key).ToList();
                if (names.Count == 0)
                {
                    return ([.. file], "entry (none left)");
                }

                string name = names[r.Next(names.Count)];
                string[] fields = ["dtype", "shape", "data_offsets"];
                string field = fields[r.Next(3)];
                JsonNode? value = OddValues[r.Next(OddValues.Length)]?.DeepClone();
                string what;
                switch (r.Next(6))
                {
                    case 0:
                        json.Remove(name);
                        what = $"entry {name} removed";
                        break;
                    case 1 when json[name] is JsonObject entry:
                        entry.Remove(field);
                        what = $"entry {name}.{field} removed";
                        break;
                    case 2 when json[name] is JsonObject entry && entry[field] is JsonArray array && array.Count > 0:
                        array[r.Next(array.Count)] = value;
                        what = $"entry {name}.{field}[i] = {value?.ToJsonString() ?? "null"}";
                        break;
                    case 3 when json[name] is JsonObject entry && entry[field] is JsonArray array:
                        if (array.Count > 0 && r.Next(2) == 0)
                        {
                            array.RemoveAt(r.Next(array.Count));
                        }
                        else
                        {
                            array.Add(r.Next(3));
                        }

                        what = $"entry {name}.{field} resized";
                        break;
                    case 4 when json[name] is JsonObject entry:
                        entry["dtype"] = new[] { "F16", "F64", "I64", "BF16", "U8", "f32" }[r.Next(6)];
                        what = $"entry {name}.dtype = {entry["dtype"]}";
                        break;
                    default:
                        json[name] = value;
                        what = $"entry {name} = {value?.ToJsonString() ?? "null"}";
                        break;
                }

                return (CheckpointBytes.Join(json.ToJsonString(), data), what);
            }

            case 10:
            {
                // Two tensors' byte ranges swapped: well formed when their sizes agree, then the values must follow.
                var names = json.Where(p => p.Value is JsonObject o && o["data_offsets"] is JsonArray).Select(p => p.Key).ToList();
                if (names.Count < 2)
                {
                    return ([.. file], "swap (too few entries)");
                }

                string a = names[r.Next(names.Count)], b = names[r.Next(names.Count)];
                (json[a]!["data_offsets"], json[b]!["data_offsets"]) = (json[b]!["data_offsets"]!.DeepClone(), json[a]!["data_offsets"]!.DeepClone());
                return (CheckpointBytes.Join(json.ToJsonString(), data), $"swap offsets {a} {b}");
            }

            case 11:
            {
                // The data laid out in another order with offsets to match: a valid file that must load the same values.
                try
                {
                    return (DamagedCheckpointTests.Reorder(file), "reordered");
                }
                catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
                {
                    return ([.. file], "reordered (not possible)");
                }
            }

            case 12:
            {
                // A metadata value (counters, RNG states, the dropout calls) given an odd string or type, or removed.
                if (json["__metadata__"] is not JsonObject meta || meta.Count == 0)
                {
                    return ([.. file], "metadata (none)");
                }

                string key = meta.ElementAt(r.Next(meta.Count)).Key;
                switch (r.Next(4))
                {
                    case 0:
                        meta.Remove(key);
                        break;
                    case 1:
                        meta[key] = OddValues[r.Next(OddValues.Length)]?.DeepClone();
                        break;
                    default:
                        meta[key] = new[] { "-1", "abc", string.Empty, "0,0,0,0,0,0", "1,2,3", "1,2,3,4,5,6,7", "99999999999999999999", "1e3", " 5" }[r.Next(9)];
                        break;
                }

                return (CheckpointBytes.Join(json.ToJsonString(), data), $"metadata {key}");
            }

            default:
            {
                // A config setting given an odd value (wrong JSON type, huge, negative, null), removed, or the config text cut.
                if (json["__metadata__"]?["config"] is not JsonValue configValue || !configValue.TryGetValue(out string? config))
                {
                    return ([.. file], "config (none)");
                }

                JsonObject? settings = null;
                try
                {
                    settings = JsonNode.Parse(config) as JsonObject;
                }
                catch (System.Text.Json.JsonException)
                {
                }

                string edited;
                string what;
                if (settings is null || settings.Count == 0 || r.Next(5) == 0)
                {
                    int cut = r.Next(config.Length + 1);
                    edited = config[..cut];
                    what = $"config cut at {cut}";
                }
                else
                {
                    string key = settings.ElementAt(r.Next(settings.Count)).Key;
                    if (r.Next(4) == 0)
                    {
                        settings.Remove(key);
                        what = $"config {key} removed";
                    }
                    else
                    {
                        settings[key] = r.Next(3) == 0 ? (JsonNode)new[] { 0, 1, 2, 64, 100000, 1 << 28, int.MaxValue }[r.Next(7)] : OddValues[r.Next(OddValues.Length)]?.DeepClone();
                        what = $"config {key} = {settings[key]?.ToJsonString() ?? "null"}";
                    }

                    edited = settings.ToJsonString();
                }

                json["__metadata__"]!["config"] = edited;
                return (CheckpointBytes.Join(json.ToJsonString(), data), what);
            }
        }
    }
}
