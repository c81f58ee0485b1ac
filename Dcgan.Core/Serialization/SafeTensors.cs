// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// mapping names to dtype, shape and byte offsets (plus an optional "__metadata__" string map), then raw
// little-endian data. PyTorch, NumPy and others read it, so checkpoints open outside .NET.
namespace Dcgan.Serialization;

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

/// <summary>One tensor of a safetensors file: dtype (<c>F32</c>, <c>F64</c> or <c>I64</c>), shape and raw little-endian bytes.</summary>
/// <param name="DType">The safetensors dtype name.</param>
/// <param name="Shape">Dimensions, outermost first (empty for a scalar).</param>
/// <param name="Data">The elements' bytes, little-endian, row-major.</param>
public sealed record SafeTensorEntry(string DType, int[] Shape, byte[] Data)
{
    /// <summary>The number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>An F32 entry from float values.</summary>
    public static SafeTensorEntry FromFloat(ReadOnlySpan<float> values, params int[] shape) =>
        new("F32", shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>An I64 entry from integer values.</summary>
    public static SafeTensorEntry FromInt64(ReadOnlySpan<long> values, params int[] shape) =>
        new("I64", shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>The values as float32 (F32 as is, F64 rounded).</summary>
    /// <exception cref="InvalidDataException">The dtype is not a float type.</exception>
    public float[] ToFloat() => DType switch
    {
        "F32" => MemoryMarshal.Cast<byte, float>(Data).ToArray(),
        "F64" => Array.ConvertAll(MemoryMarshal.Cast<byte, double>(Data).ToArray(), d => (float)d),
        _ => throw new InvalidDataException($"Tensor has dtype {DType}; expected F32 or F64."),
    };

    /// <summary>The values as int64.</summary>
    /// <exception cref="InvalidDataException">The dtype is not I64.</exception>
    public long[] ToInt64() => DType == "I64"
        ? MemoryMarshal.Cast<byte, long>(Data).ToArray()
        : throw new InvalidDataException($"Tensor has dtype {DType}; expected I64.");
}

/// <summary>Reads and writes safetensors files.</summary>
public static class SafeTensors
{
    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal) { ["F32"] = 4, ["F64"] = 8, ["I64"] = 8 };

    /// <summary>Writes tensors (in the given order) and metadata atomically to <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A name repeats or is <c>__metadata__</c>, a dtype is unknown, or data and shape disagree.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, SafeTensorEntry>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        AtomicFile.Write(path, stream => Write(stream, list, metadata));
    }

    /// <summary>Writes tensors and metadata to a stream.</summary>
    /// <exception cref="ArgumentException">A name repeats or is <c>__metadata__</c>, a dtype is unknown, or data and shape disagree.</exception>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, SafeTensorEntry>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach ((string k, string v) in metadata)
                {
                    json.WriteString(k, v);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach ((string name, SafeTensorEntry t) in tensors)
            {
                if (name == "__metadata__" || !names.Add(name))
                {
                    throw new ArgumentException($"Tensor name '{name}' is reserved or repeated.", nameof(tensors));
                }

                if (!ElementSizes.TryGetValue(t.DType, out int size))
                {
                    throw new ArgumentException($"Tensor '{name}' has dtype '{t.DType}'; expected F32, F64 or I64.", nameof(tensors));
                }

                if (t.Data.LongLength != t.ElementCount * size)
                {
                    throw new ArgumentException($"Tensor '{name}' has {t.Data.Length} bytes for shape [{string.Join(", ", t.Shape)}] of {t.DType}.", nameof(tensors));
                }

                json.WriteStartObject(name);
                json.WriteString("dtype", t.DType);
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + t.Data.LongLength);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += t.Data.LongLength;
            }

            json.WriteEndObject();
        }

        // Pad the header with spaces so the data starts 8-byte aligned, as the reference implementation does.
        int padding = (int)((8 - (header.Length % 8)) % 8);
        for (int i = 0; i < padding; i++)
        {
            header.WriteByte((byte)' ');
        }

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach ((_, SafeTensorEntry t) in tensors)
        {
            stream.Write(t.Data);
        }
    }

    /// <summary>Reads a safetensors file.</summary>
    /// <returns>The tensors by name (in file order) and the metadata.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (IReadOnlyDictionary<string, SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Read(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads safetensors bytes.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    public static (IReadOnlyDictionary<string, SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"not a safetensors file: {bytes.Length} bytes, expected at least 8.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new InvalidDataException($"not a safetensors file (or truncated): header length {headerLength} exceeds the {bytes.Length - 8} bytes that follow.");
        }

        ReadOnlySpan<byte> data = bytes[(8 + (int)headerLength)..];
        var tensors = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray());
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.GetString() ?? string.Empty;
                    }

                    continue;
                }

                string dtype = p.Value.GetProperty("dtype").GetString() ?? string.Empty;
                int[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                long[] offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (!ElementSizes.TryGetValue(dtype, out int size))
                {
                    throw new InvalidDataException($"tensor '{p.Name}' has unsupported dtype '{dtype}'.");
                }

                long count = shape.Aggregate(1L, (a, b) => a * b);
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] > data.Length || offsets[1] - offsets[0] != count * size)
                {
                    throw new InvalidDataException($"tensor '{p.Name}' has data_offsets [{string.Join(", ", offsets)}] that do not fit shape [{string.Join(", ", shape)}] of {dtype} in {data.Length} data bytes (truncated file?).");
                }

                tensors[p.Name] = new SafeTensorEntry(dtype, shape, data[(int)offsets[0]..(int)offsets[1]].ToArray());
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a safetensors file: the header is not valid JSON ({e.Message}).", e);
        }
        catch (KeyNotFoundException e)
        {
            throw new InvalidDataException($"not a safetensors file: a header entry lacks a field ({e.Message}).", e);
        }

        return (tensors, metadata);
    }
}
