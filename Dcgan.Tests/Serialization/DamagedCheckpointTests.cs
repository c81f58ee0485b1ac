// Each kind of damage a checkpoint can have gives a CheckpointFormatException naming the file and the problem in
// words (no .NET type names) from every reader path: the library's load, the trainer's resume, and the config
// read that generate and --resume start with.
namespace Dcgan.Tests.Serialization;

using System.Text.Json.Nodes;
using Dcgan.Backends.Cpu;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tests.Support;
using Dcgan.Tests.Training;

public sealed class DamagedCheckpointTests(ITestOutputHelper output)
{
    private static readonly Lazy<byte[]> ValidFile = new(() => CheckpointBytes.Valid());

    internal static byte[] Valid => ValidFile.Value;

    // The damaged files, by name: each is the valid tiny checkpoint with one thing wrong.
    private static readonly Dictionary<string, Func<byte[], byte[]>> Damages = new()
    {
        ["shape dimension above 2^31"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["shape"]![1] = 4294967296L),
        ["shape dimension negative"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["shape"]![1] = -12),
        ["shape whose product overflows"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["shape"] = new JsonArray(2147483647, 2147483647, 2147483647, 4)),
        ["shape that is a string"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["shape"] = "6,12,7,7"),
        ["shape dimension 1.5"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["shape"]![0] = 1.5),
        ["element count x 4 is not the byte length"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["shape"]![0] = 5),
        ["dtype F16"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["dtype"] = "F16"),
        ["dtype a number"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["dtype"] = 32),
        ["no dtype"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!.AsObject().Remove("dtype")),
        ["no data_offsets"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!.AsObject().Remove("data_offsets")),
        ["offsets beyond the data"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["data_offsets"]![1] = 1L << 40),
        ["offsets negative"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["data_offsets"]![0] = -4),
        ["three offsets"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"]!["data_offsets"]!.AsArray().Add(0)),
        ["overlapping ranges"] = f => CheckpointBytes.EditHeader(f, h => Shift(h, "G.main.1.weight", -4)),
        ["a gap between ranges"] = f => CheckpointBytes.EditHeader(f, h => Shift(h, "G.main.1.weight", 4)),
        ["entry that is a number"] = f => CheckpointBytes.EditHeader(f, h => h["G.main.0.weight"] = 7),
        ["header that is an array"] = f => CheckpointBytes.Join("[1, 2]", []),
        ["header that is not JSON"] = f => CheckpointBytes.Join("{\"G.main.0.weight\": {\"dtype\": \"F32\",", []),
        ["header that is not UTF-8"] = f => CheckpointBytes.Join("{\"\u00ff\": 1}", []) is var b ? Patch(b, 10, 0xFF) : b,
        ["unpaired surrogate escape"] = f => CheckpointBytes.Join("{\"\\ud800\": {}}", []),
        ["header length beyond the file"] = f => Patch(f, 0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01),
        ["header length 2^63"] = f => Patch(f, 7, 0x80),
        ["truncated"] = f => f[..(f.Length - 100)],
        ["garbage appended"] = f => [.. f, 1, 2, 3, 4, 5],
        ["seven bytes"] = f => f[..7],
        ["empty file"] = f => [],
        ["missing tensor"] = f => CheckpointBytes.EditHeader(f, h => Remove(h, "D.main.3.running_var")),
        ["wrong shape for the model"] = f => CheckpointBytes.EditHeader(f, h => ReshapeTo(h, "G.main.0.weight", 12, 6, 7, 7)),
        ["num_batches_tracked negative"] = f => SetLong(f, "G.main.1.num_batches_tracked", -3),
        ["metadata value a number"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"]!["epoch"] = 1),
        ["metadata an array"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"] = new JsonArray()),
        ["epoch not a number"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"]!["epoch"] = "one"),
        ["epoch missing"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"]!.AsObject().Remove("epoch")),
        ["random state all zero"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"]!["rng.noise"] = "0,0,0,0,0,0"),
        ["random state too short"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"]!["rng.noise"] = "1,2"),
    };

    // Damage to the config metadata, which the tensor load does not read: generate and --resume read it first.
    private static readonly Dictionary<string, Func<byte[], byte[]>> ConfigDamages = new()
    {
        ["config not JSON"] = f => CheckpointBytes.EditConfig(f, json => json[..(json.Length / 2)]),
        ["config a JSON array"] = f => CheckpointBytes.EditConfig(f, _ => "[1]"),
        ["config epochs a string"] = f => CheckpointBytes.EditSetting(f, "epochs", "five"),
        ["config batch-size 1.5"] = f => CheckpointBytes.EditSetting(f, "batch-size", 1.5),
        ["config arch null"] = f => CheckpointBytes.EditSetting(f, "arch", null),
        ["config nz above 2^31"] = f => CheckpointBytes.EditSetting(f, "nz", 4294967296L),
        ["config seed negative"] = f => CheckpointBytes.EditSetting(f, "seed", -1),
        ["config nz 0"] = f => CheckpointBytes.EditSetting(f, "nz", 0),
        ["config networks larger than the file"] = f => CheckpointBytes.EditSetting(f, "nz", 100000),
        ["config networks too large to build"] = f => CheckpointBytes.EditSetting(f, "ngf", 1 << 28),
        ["no config"] = f => CheckpointBytes.EditHeader(f, h => h["__metadata__"]!.AsObject().Remove("config")),
    };

    public static TheoryData<string> DamageNames => [.. Damages.Keys];

    public static TheoryData<string> ConfigDamageNames => [.. ConfigDamages.Keys];

    [Theory]
    [MemberData(nameof(DamageNames))]
    public void A_damaged_file_gives_one_clear_error_and_changes_nothing_on_resume(string damage)
    {
        using var dir = new TempFolder();
        string path = dir.Write("damaged.safetensors", Damages[damage](Valid));
        using var cpu = new CpuBackend(1);
        using var t = new Trainer(CheckpointBytes.Tiny(), TrainerTests.Synthetic(24), cpu, new TrainerTests.SilentReporter(), null, dir.File("run"));
        float[] before = t.Model.Generator.FlatParameters!.ToArray();
        var e = Assert.Throws<CheckpointFormatException>(() => t.LoadCheckpoint(path));
        output.WriteLine($"{damage}: {e.Message}");
        CheckMessage(e, path);
        if (!damage.StartsWith("epoch", StringComparison.Ordinal) && !damage.StartsWith("random", StringComparison.Ordinal))
        {
            // Metadata counters are read after the tensors; every tensor problem is found before anything changes.
            Assert.Equal(before, t.Model.Generator.FlatParameters!.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(ConfigDamageNames))]
    public void A_damaged_config_gives_one_clear_error(string damage)
    {
        using var dir = new TempFolder();
        string path = dir.Write("damaged.safetensors", ConfigDamages[damage](Valid));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.ReadConfig(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{damage}: {e.Message} ({allocated} bytes allocated for a {Valid.Length}-byte file)");
        CheckMessage(e, path);
        Assert.True(allocated < (16L * Valid.Length) + (1 << 20), $"{allocated} bytes allocated");
    }

    [Fact]
    public void A_shape_above_2_pow_31_names_the_dimension()
    {
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Read(Damages["shape dimension above 2^31"](Valid)));
        output.WriteLine(e.Message);
        Assert.Contains("'G.main.0.weight'", e.Message);
        Assert.Contains("4294967296", e.Message);
        Assert.Null(e.FilePath);
    }

    [Fact]
    public void Config_metadata_that_is_not_JSON_is_named_as_such()
    {
        using var dir = new TempFolder();
        string path = dir.Write("c.safetensors", ConfigDamages["config not JSON"](Valid));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.ReadConfig(path));
        output.WriteLine(e.Message);
        Assert.Contains("config metadata that is not valid JSON", e.Message);
    }

    [Fact]
    public void A_wrong_config_type_is_told_in_words()
    {
        using var dir = new TempFolder();
        string path = dir.Write("c.safetensors", ConfigDamages["config epochs a string"](Valid));
        var e = Assert.Throws<CheckpointFormatException>(() => CheckpointReader.ReadConfig(path));
        output.WriteLine(e.Message);
        Assert.Contains("'epochs' = \"five\"; expected a whole number", e.Message);
    }

    [Fact]
    public void A_JSON_file_is_not_a_checkpoint()
    {
        using var dir = new TempFolder();
        string path = dir.Write("config.json", System.Text.Encoding.UTF8.GetBytes(CheckpointBytes.Tiny().ToJson()));
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Read(path));
        output.WriteLine(e.Message);
        Assert.StartsWith($"{path}: is not a checkpoint (safetensors) file", e.Message);
        Assert.Contains("JSON", e.Message);
        Assert.DoesNotContain("7165896756295633531", e.Message);
        Assert.DoesNotContain("header length of", e.Message);
    }

    [Fact]
    public void A_missing_file_and_a_folder_are_told_plainly()
    {
        using var dir = new TempFolder();
        var missing = Assert.Throws<FileNotFoundException>(() => SafeTensors.Read(dir.File("none.safetensors")));
        Assert.Equal($"{dir.File("none.safetensors")}: no such file.", missing.Message);
        var folder = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Read(dir.Path));
        Assert.Contains("is a folder", folder.Message);
    }

    [Fact]
    public void A_valid_file_with_its_tensors_stored_in_another_order_loads_the_same_values()
    {
        // Writers other than ours may order the data differently from the header; only the ranges matter.
        byte[] reordered = Reorder(Valid);
        var (a, metaA) = SafeTensors.Read(Valid);
        var (b, metaB) = SafeTensors.Read(reordered);
        Assert.NotEqual(Valid, reordered);
        Assert.Equal(a.Keys, b.Keys);
        foreach (string key in a.Keys)
        {
            Assert.Equal(a[key].Data, b[key].Data);
            Assert.Equal(a[key].Shape, b[key].Shape);
        }

        Assert.Equal(metaA, metaB);
    }

    internal static void CheckMessage(Exception e, string path)
    {
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.DoesNotContain("System.", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("Path: $", e.Message);
        Assert.DoesNotContain("LineNumber", e.Message);
        Assert.True(e.Message.Length < 400, $"message of {e.Message.Length} characters");
    }

    // The data blocks in reverse header order, offsets rewritten to match: a valid file laid out differently.
    internal static byte[] Reorder(byte[] file)
    {
        (JsonObject? parsed, byte[] data) = CheckpointBytes.Split(file);
        JsonObject header = parsed!;
        var names = header.Where(p => p.Key != "__metadata__").Select(p => p.Key).Reverse().ToList();
        using var stream = new MemoryStream();
        foreach (string name in names)
        {
            JsonArray offsets = header[name]!["data_offsets"]!.AsArray();
            (long begin, long end) = (offsets[0]!.GetValue<long>(), offsets[1]!.GetValue<long>());
            header[name]!["data_offsets"] = new JsonArray(stream.Length, stream.Length + (end - begin));
            stream.Write(data, (int)begin, (int)(end - begin));
        }

        return CheckpointBytes.Join(header.ToJsonString(), stream.ToArray());
    }

    private static void Shift(JsonObject header, string name, long by)
    {
        JsonArray offsets = header[name]!["data_offsets"]!.AsArray();
        header[name]!["data_offsets"] = new JsonArray(offsets[0]!.GetValue<long>() + by, offsets[1]!.GetValue<long>() + by);
    }

    // Renames a tensor, so the file stays well formed but lacks the name the model asks for.
    private static void Remove(JsonObject header, string name)
    {
        JsonNode entry = header[name]!.DeepClone();
        header.Remove(name);
        header["renamed"] = entry;
    }

    private static void ReshapeTo(JsonObject header, string name, params int[] shape) =>
        header[name]!["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray());

    private static byte[] SetLong(byte[] file, string name, long value)
    {
        (JsonObject? header, byte[] data) = CheckpointBytes.Split(file);
        int begin = (int)header![name]!["data_offsets"]![0]!.GetValue<long>();
        BitConverter.TryWriteBytes(data.AsSpan(begin, 8), value);
        return CheckpointBytes.Join(header.ToJsonString(), data);
    }

    private static byte[] Patch(byte[] file, int at, params byte[] bytes)
    {
        byte[] copy = [.. file];
        bytes.CopyTo(copy, at);
        return copy;
    }
}
