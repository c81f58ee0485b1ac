// Valid small checkpoints and tools to take them apart, edit their JSON header and put them back together, plus
// an independent decoder of a tensor's values (used to check that a successful load read the right bytes).
namespace Dcgan.Tests.Serialization;

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Dcgan.Backends.Cpu;
using Dcgan.Samples.Training;
using Dcgan.Tests.Training;

internal static class CheckpointBytes
{
    /// <summary>The settings of the tiny run whose checkpoint the tests damage (dcgan, nz 6, ngf 3, ndf 3).</summary>
    public static TrainOptions Tiny(string arch = Architectures.Dcgan) => new()
    {
        Arch = arch,
        Epochs = 1,
        BatchSize = 8,
        Nz = 6,
        Ngf = 3,
        Ndf = 3,
        Seed = 5,
        Threads = 1,
        Limit = 24,
    };

    /// <summary>The bytes of a checkpoint after one epoch of <see cref="Tiny"/> on synthetic images.</summary>
    public static byte[] Valid(string arch = Architectures.Dcgan)
    {
        string dir = Directory.CreateTempSubdirectory("dcgan-ckpt-").FullName;
        try
        {
            using var cpu = new CpuBackend(1);
            using var t = new Trainer(Tiny(arch), TrainerTests.Synthetic(24), cpu, new TrainerTests.SilentReporter(), null, dir);
            t.Run(() => false);
            string path = Path.Combine(dir, "valid.safetensors");
            t.SaveCheckpoint(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>The JSON header (null when it does not parse) and the data section; null header length means unusable.</summary>
    public static (JsonObject? Header, byte[] Data) Split(byte[] file)
    {
        if (file.Length < 8)
        {
            return (null, []);
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (length > (ulong)(file.Length - 8))
        {
            return (null, []);
        }

        try
        {
            var header = JsonNode.Parse(file.AsSpan(8, (int)length)) as JsonObject;
            Touch(header);
            return (header, file[(8 + (int)length)..]);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            return (null, file[(8 + (int)length)..]);
        }
    }

    // JsonNode decodes lazily: reading every name and string now makes bad text fail here, not in a later edit.
    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach ((string _, JsonNode? child) in o)
                {
                    Touch(child);
                }

                break;
            case JsonArray a:
                foreach (JsonNode? child in a)
                {
                    Touch(child);
                }

                break;
            case JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String:
                _ = v.GetValue<string>();
                break;
        }
    }

    /// <summary>The header text (UTF-8) as stored, or null when the length field does not fit the file.</summary>
    public static string? HeaderText(byte[] file)
    {
        if (file.Length < 8)
        {
            return null;
        }

        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file);
        return length > (ulong)(file.Length - 8) ? null : Encoding.UTF8.GetString(file, 8, (int)length);
    }

    /// <summary>A file from header text and data, padded with spaces to 8 bytes as the writer does.</summary>
    public static byte[] Join(string header, byte[] data)
    {
        byte[] text = Encoding.UTF8.GetBytes(header);
        int padded = (text.Length + 7) / 8 * 8;
        var file = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded);
        text.CopyTo(file, 8);
        file.AsSpan(8 + text.Length, padded - text.Length).Fill((byte)' ');
        data.CopyTo(file, 8 + padded);
        return file;
    }

    /// <summary>The file with its JSON header edited (the data unchanged).</summary>
    public static byte[] EditHeader(byte[] file, Action<JsonObject> edit)
    {
        (JsonObject? header, byte[] data) = Split(file);
        Assert.NotNull(header);
        edit(header);
        return Join(header.ToJsonString(), data);
    }

    /// <summary>The file with its config metadata replaced by <paramref name="edit"/>(old config).</summary>
    public static byte[] EditConfig(byte[] file, Func<string, string> edit) =>
        EditHeader(file, h => h["__metadata__"]!["config"] = edit(h["__metadata__"]!["config"]!.GetValue<string>()));

    /// <summary>The file with one config setting replaced.</summary>
    public static byte[] EditSetting(byte[] file, string setting, JsonNode? value) => EditConfig(file, json =>
    {
        JsonObject config = JsonNode.Parse(json)!.AsObject();
        config[setting] = value;
        return config.ToJsonString();
    });

    /// <summary>
    /// A tensor's values decoded straight from the file's bytes (F32 as floats, I64 as doubles of the integers),
    /// without the library's reader: null when the header or the tensor's entry cannot be decoded.
    /// </summary>
    public static double[]? Reference(byte[] file, string key)
    {
        (JsonObject? header, byte[] data) = Split(file);
        return Reference(header, data, key);
    }

    /// <summary><see cref="Reference(byte[], string)"/> on a file already split by <see cref="Split"/>.</summary>
    public static double[]? Reference(JsonObject? header, byte[] data, string key)
    {
        if (header?[key] is not JsonObject entry || entry["data_offsets"] is not JsonArray { Count: 2 } offsets)
        {
            return null;
        }

        try
        {
            string dtype = entry["dtype"]!.GetValue<string>();
            int begin = checked((int)offsets[0]!.GetValue<long>());
            int end = checked((int)offsets[1]!.GetValue<long>());
            if (begin < 0 || end > data.Length || end < begin)
            {
                return null;
            }

            ReadOnlySpan<byte> bytes = data.AsSpan(begin, end - begin);
            return dtype switch
            {
                "F32" => MemoryMarshal.Cast<byte, float>(bytes).ToArray().Select(v => (double)v).ToArray(),
                "I64" => MemoryMarshal.Cast<byte, long>(bytes).ToArray().Select(v => (double)v).ToArray(),
                _ => null,
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or NullReferenceException)
        {
            return null;
        }
    }

    /// <summary>A metadata value read straight from the header, or null.</summary>
    public static string? ReferenceMetadata(byte[] file, string key)
    {
        try
        {
            return Split(file).Header?["__metadata__"]?[key]?.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
