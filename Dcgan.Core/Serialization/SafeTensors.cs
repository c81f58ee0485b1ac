// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// mapping names to dtype, shape and byte offsets (plus an optional "__metadata__" string map), then raw
// little-endian data. PyTorch, NumPy and others read it, so checkpoints open outside .NET.
namespace Dcgan.Serialization;

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

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

    /// <summary>
    /// Reads a safetensors file, checking everything a damaged or hostile file could get wrong before trusting
    /// it: the header length against the file's size (and a 100,000,000-byte cap, the reference implementation's),
    /// the header's JSON and the JSON type of every field, each tensor's dtype, shape (whole numbers in
    /// [0, 2³¹ − 1] whose product does not overflow) and byte range (inside the data, element count × element size
    /// bytes long), and that the ranges tile the data exactly (sorted, no overlap, no gap, nothing after the last).
    /// Memory used is about twice the file's size; a file over 2 GiB is refused.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The tensors by name (in file order) and the metadata.</returns>
    /// <exception cref="CheckpointFormatException">The file is not a valid safetensors file (or is a folder, or not a regular file); the message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static (IReadOnlyDictionary<string, SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Parse(ReadFile(path), path);
    }

    /// <summary>Reads safetensors bytes, with the checks of <see cref="Read(string)"/>.</summary>
    /// <param name="bytes">The whole file's bytes.</param>
    /// <returns>The tensors by name (in file order) and the metadata.</returns>
    /// <exception cref="CheckpointFormatException">The bytes are not a valid safetensors file; the message names the problem.</exception>
    public static (IReadOnlyDictionary<string, SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(ReadOnlySpan<byte> bytes) =>
        Parse(bytes.ToArray(), null);

    // Reads the whole file into one array of exactly its size: the only allocation that depends on the file.
    private static byte[] ReadFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CheckpointFormatException(path, "is a folder, not a checkpoint (safetensors) file.");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"{path}: no such file.", path, e);
        }

        using (stream)
        {
            // A pipe or device (/dev/zero) has no length to check the header against and may never end.
            if (!stream.CanSeek)
            {
                throw new CheckpointFormatException(path, "is not a regular file.");
            }

            long length = stream.Length;
            if (length > Array.MaxLength)
            {
                throw new CheckpointFormatException(path, $"is {length} bytes long; checkpoints over {Array.MaxLength} bytes (2 GiB) are not supported.");
            }

            var bytes = new byte[length];
            try
            {
                stream.ReadExactly(bytes);
            }
            catch (EndOfStreamException e)
            {
                throw new CheckpointFormatException(path, "became shorter while it was read (is it still being written?).", e);
            }

            return bytes;
        }
    }

    private static (IReadOnlyDictionary<string, SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Parse(ReadOnlyMemory<byte> file, string? path)
    {
        ReadOnlySpan<byte> bytes = file.Span;
        if (bytes.Length < 8)
        {
            throw new CheckpointFormatException(path, $"is not a checkpoint (safetensors) file: it has {bytes.Length} bytes, and a safetensors file starts with an 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new CheckpointFormatException(path, LooksLikeText(bytes[..8])
                ? $"is not a checkpoint (safetensors) file: it starts with text{(bytes.TrimStart(" \t\r\n"u8) is [(byte)'{' or (byte)'[', ..] ? " (it looks like a JSON file)" : string.Empty)}, where a safetensors file starts with an 8-byte header length."
                : $"is not a checkpoint (safetensors) file, or is truncated: its first 8 bytes give a header length of {headerLength} bytes, but only {bytes.Length - 8} bytes follow.");
        }

        if (headerLength > MaxHeaderBytes)
        {
            throw new CheckpointFormatException(path, $"has a header of {headerLength} bytes; at most {MaxHeaderBytes} are accepted.");
        }

        ReadOnlyMemory<byte> header = file.Slice(8, (int)headerLength);
        ReadOnlyMemory<byte> data = file[(8 + (int)headerLength)..];
        if (!Utf8.IsValid(header.Span))
        {
            throw new CheckpointFormatException(path, "is not a checkpoint (safetensors) file: its header is not UTF-8 text.");
        }

        try
        {
            using JsonDocument doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
            return Interpret(doc.RootElement, data, path);
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line && e.BytePositionInLine is { } column ? $" (line {line + 1}, byte {column + 1})" : string.Empty;
            throw new CheckpointFormatException(path, $"is not a checkpoint (safetensors) file: its header is not valid JSON{where}.", e);
        }
        catch (InvalidOperationException e)
        {
            // Escapes such as "\ud800" are valid JSON but not valid text.
            throw new CheckpointFormatException(path, "has a header with a string that is not valid text (an unpaired surrogate escape).", e);
        }
    }

    private static (IReadOnlyDictionary<string, SafeTensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata) Interpret(JsonElement root, ReadOnlyMemory<byte> data, string? path)
    {
        CheckpointFormatException Bad(string problem) => new(path, problem);

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"is not a checkpoint (safetensors) file: its header is {Describe(root)}; expected a JSON object.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var ranges = new List<(string Name, string DType, int[] Shape, long Begin, long End)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool hasMetadata = false;
        foreach (JsonProperty p in root.EnumerateObject())
        {
            if (p.Name == "__metadata__")
            {
                if (hasMetadata)
                {
                    throw Bad("has two __metadata__ entries in its header.");
                }

                hasMetadata = true;
                if (p.Value.ValueKind != JsonValueKind.Object)
                {
                    throw Bad($"has __metadata__ that is {Describe(p.Value)}; expected an object of strings.");
                }

                foreach (JsonProperty m in p.Value.EnumerateObject())
                {
                    if (m.Value.ValueKind != JsonValueKind.String)
                    {
                        throw Bad($"has metadata {Quote(m.Name)} that is {Describe(m.Value)}; expected a string.");
                    }

                    if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                    {
                        throw Bad($"has metadata {Quote(m.Name)} twice.");
                    }
                }

                continue;
            }

            if (!names.Add(p.Name))
            {
                throw Bad($"has tensor {Quote(p.Name)} twice in its header.");
            }

            ranges.Add(ReadEntry(p, data.Length, path));
        }

        // The byte ranges, in offset order, must cover the data exactly once, as the reference implementation requires.
        var byOffset = ranges.OrderBy(r => r.Begin).ThenBy(r => r.End).ToList();
        long expected = 0;
        string? previous = null;
        foreach ((string name, _, _, long begin, long end) in byOffset)
        {
            if (begin < expected)
            {
                throw Bad($"has tensors {Quote(previous!)} and {Quote(name)} whose data_offsets overlap (data bytes up to {expected} and from {begin}).");
            }

            if (begin > expected)
            {
                throw Bad($"has {begin - expected} data bytes that belong to no tensor, before tensor {Quote(name)} (data bytes {expected} to {begin}).");
            }

            expected = end;
            previous = name;
        }

        if (expected != data.Length)
        {
            throw Bad($"has {data.Length - expected} bytes after the last tensor's data (bytes appended, or a damaged header?).");
        }

        var tensors = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        foreach ((string name, string dtype, int[] shape, long begin, long end) in ranges)
        {
            tensors[name] = new SafeTensorEntry(dtype, shape, data[(int)begin..(int)end].ToArray());
        }

        return (tensors, metadata);
    }

    private static (string Name, string DType, int[] Shape, long Begin, long End) ReadEntry(JsonProperty p, int dataLength, string? path)
    {
        CheckpointFormatException Bad(string problem) => new(path, $"has tensor {Quote(p.Name)} {problem}");

        if (p.Value.ValueKind != JsonValueKind.Object)
        {
            throw Bad($"that is {Describe(p.Value)}; expected an object with dtype, shape and data_offsets.");
        }

        JsonElement Field(string field, JsonValueKind kind)
        {
            if (!p.Value.TryGetProperty(field, out JsonElement value))
            {
                throw Bad($"without '{field}'.");
            }

            if (value.ValueKind != kind)
            {
                throw Bad($"whose '{field}' is {Describe(value)}; expected {(kind == JsonValueKind.String ? "a string" : "an array of whole numbers")}.");
            }

            return value;
        }

        string dtype = Field("dtype", JsonValueKind.String).GetString()!;
        if (!ElementSizes.TryGetValue(dtype, out int size))
        {
            throw Bad($"of dtype {Quote(dtype)}; expected F32, F64 or I64.");
        }

        JsonElement shapeJson = Field("shape", JsonValueKind.Array);
        var shape = new int[shapeJson.GetArrayLength()];
        long count = 1;
        bool overflow = false;
        for (int i = 0; i < shape.Length; i++)
        {
            JsonElement d = shapeJson[i];
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0 || dim > int.MaxValue)
            {
                throw Bad($"whose shape dimension {i} is {Describe(d)}; expected a whole number in [0, {int.MaxValue}].");
            }

            shape[i] = (int)dim;
            overflow |= count != 0 && dim != 0 && count > long.MaxValue / size / dim;
            count = overflow ? count : count * dim;
        }

        if (shape.Contains(0))
        {
            (count, overflow) = (0, false);
        }

        JsonElement offsetsJson = Field("data_offsets", JsonValueKind.Array);
        if (offsetsJson.GetArrayLength() != 2)
        {
            throw Bad($"with {offsetsJson.GetArrayLength()} data_offsets; expected 2 (begin, end).");
        }

        var offsets = new long[2];
        for (int i = 0; i < 2; i++)
        {
            JsonElement o = offsetsJson[i];
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out offsets[i]) || offsets[i] < 0 || offsets[i] > dataLength)
            {
                throw Bad($"whose data_offsets[{i}] is {Describe(o)}; expected a whole number in [0, {dataLength}] (the data's length; truncated file?).");
            }
        }

        (long begin, long end) = (offsets[0], offsets[1]);
        if (end < begin)
        {
            throw Bad($"whose data_offsets [{begin}, {end}] end before they begin.");
        }

        if (overflow || count * size != end - begin)
        {
            throw Bad($"of {dtype} and shape {ShapeText(shape)} ({(overflow ? "more than 2^63 bytes" : $"{count * size} bytes")}) but data_offsets [{begin}, {end}] ({end - begin} bytes).");
        }

        return (p.Name, dtype, shape, begin, end);
    }

    private const int MaxHeaderBytes = 100_000_000;

    private static bool LooksLikeText(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is not ((>= 0x20 and < 0x7F) or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    // Names and values from the file go into messages shortened, so a hostile file cannot make a message huge.
    private static string Quote(string text) => text.Length <= 80 ? $"'{text}'" : $"'{text[..80]}...'";

    internal static string ShapeText(int[] shape) =>
        shape.Length <= 8 ? $"[{string.Join(", ", shape)}]" : $"[{string.Join(", ", shape[..8])}, ... ({shape.Length} dimensions)]";

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {Quote(e.GetString()!)}",
        JsonValueKind.Number => e.GetRawText() is { Length: <= 40 } raw ? raw : $"a {e.GetRawText().Length}-digit number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
