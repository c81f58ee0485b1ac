// What a dcgan checkpoint says about its run (config, counters, RNG states), read as carefully as its tensors:
// every reader of checkpoints (generate, --resume, and later eval/export) goes through here, so a damaged or
// hostile file gives one CheckpointFormatException naming the file and the problem, never a crash, and the
// networks its config describes are sized against the file before anything is allocated.
namespace Dcgan.Samples.Training;

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Dcgan.Init;
using Dcgan.Models;
using Dcgan.Serialization;

/// <summary>Reads the run settings and counters stored in a checkpoint's metadata.</summary>
public static class CheckpointReader
{
    // Like config.json's options, but null for a setting that cannot be null is an error, not a crash later.
    private static readonly JsonSerializerOptions Strict = new(TrainOptions.Json) { RespectNullableAnnotations = true };

    /// <summary>
    /// The settings a checkpoint was trained with (its <c>config</c> metadata), checked: valid JSON, every setting
    /// of the right JSON type, every value in range, and networks small enough for the file to hold their
    /// parameters (so a hostile config cannot make the caller allocate beyond the file's size).
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file is damaged, has no config, or its config is invalid.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static TrainOptions ReadConfig(string checkpoint)
    {
        (IReadOnlyDictionary<string, SafeTensorEntry> tensors, IReadOnlyDictionary<string, string> meta) = SafeTensors.Read(checkpoint);
        if (!meta.TryGetValue("config", out string? json))
        {
            throw new CheckpointFormatException(checkpoint, "is not a dcgan checkpoint: its metadata has no config.");
        }

        TrainOptions o = ParseConfig(checkpoint, json);
        try
        {
            o.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(checkpoint, $"has an invalid config: {e.Message}", e);
        }

        // Settings with no command-line flag, which Validate leaves to Adam's constructor.
        if (!(o.Beta2 is >= 0 and < 1))
        {
            throw new CheckpointFormatException(checkpoint, $"has config setting 'beta2' = {o.Beta2.ToString(CultureInfo.InvariantCulture)}; expected a number in [0, 1).");
        }

        if (!(o.ResolvedAdamEps > 0 && double.IsFinite(o.ResolvedAdamEps)))
        {
            throw new CheckpointFormatException(checkpoint, $"has config setting 'adam-eps' = {o.ResolvedAdamEps.ToString(CultureInfo.InvariantCulture)}; expected a number > 0.");
        }

        CheckSize(checkpoint, o, tensors);
        return o;
    }

    /// <summary>A whole-number metadata value in [0, <paramref name="max"/>] (epoch, step_in_epoch, global_step).</summary>
    /// <exception cref="CheckpointFormatException">The key is missing or its value is not such a number.</exception>
    public static long Count(string checkpoint, IReadOnlyDictionary<string, string> meta, string key, long max = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(meta);
        string text = Value(checkpoint, meta, key);
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value > max)
        {
            throw new CheckpointFormatException(checkpoint, $"has metadata '{key}' = '{Short(text)}'; expected a whole number in [0, {max}].");
        }

        return value;
    }

    /// <summary>A saved <see cref="RandomSource"/> state: six comma-separated 64-bit words, the first four not all zero.</summary>
    /// <exception cref="CheckpointFormatException">The key is missing or its value is not such a state.</exception>
    public static ulong[] RandomState(string checkpoint, IReadOnlyDictionary<string, string> meta, string key)
    {
        ArgumentNullException.ThrowIfNull(meta);
        string text = Value(checkpoint, meta, key);
        string[] words = text.Split(',', 7);
        var state = new ulong[6];
        bool ok = words.Length == 6;
        for (int i = 0; ok && i < 6; i++)
        {
            ok = ulong.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out state[i]);
        }

        if (!ok || (state[0] | state[1] | state[2] | state[3]) == 0)
        {
            throw new CheckpointFormatException(checkpoint, $"has metadata '{key}' = '{Short(text)}'; expected a random generator state (six comma-separated whole numbers, the first four not all 0).");
        }

        return state;
    }

    private static string Value(string checkpoint, IReadOnlyDictionary<string, string> meta, string key) =>
        meta.TryGetValue(key, out string? text) ? text : throw new CheckpointFormatException(checkpoint, $"is not a dcgan training checkpoint: its metadata has no '{key}'.");

    private static TrainOptions ParseConfig(string checkpoint, string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is { } line && e.BytePositionInLine is { } column ? $" (line {line + 1}, byte {column + 1})" : string.Empty;
            throw new CheckpointFormatException(checkpoint, $"has config metadata that is not valid JSON{where}.", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointFormatException(checkpoint, $"has config metadata that is {Kind(doc.RootElement.ValueKind)}; expected a JSON object of settings.");
            }

            try
            {
                return doc.RootElement.Deserialize<TrainOptions>(Strict)!;
            }
            catch (JsonException e)
            {
                throw new CheckpointFormatException(checkpoint, WrongType(doc.RootElement, e.Path), e);
            }
        }
    }

    // "has config setting 'epochs' = "five"; expected a whole number", from the failing JSON path ($.epochs or $['batch-size']).
    private static string WrongType(JsonElement root, string? jsonPath)
    {
        string? key = jsonPath switch
        {
            ['$', '.', .. string name] => name,
            ['$', '[', '\'', .. string rest] when rest.EndsWith("']", StringComparison.Ordinal) => rest[..^2],
            _ => null,
        };
        JsonPropertyInfo? setting = key is null ? null : Strict.GetTypeInfo(typeof(TrainOptions)).Properties.FirstOrDefault(p => p.Name == key);
        if (key is null || setting is null || !root.TryGetProperty(key, out JsonElement value))
        {
            return "has a config with a setting of the wrong JSON type.";
        }

        string shown = value.ValueKind switch
        {
            JsonValueKind.String or JsonValueKind.Number => Short(value.GetRawText()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => Kind(value.ValueKind),
        };
        return $"has config setting '{Short(key)}' = {shown}; expected {Expected(setting.PropertyType)}.";
    }

    private static string Expected(Type type)
    {
        Type? inner = Nullable.GetUnderlyingType(type);
        string words = (inner ?? type) switch
        {
            Type t when t == typeof(int) || t == typeof(long) => "a whole number",
            Type t when t == typeof(ulong) || t == typeof(uint) => "a whole number >= 0",
            Type t when t == typeof(double) || t == typeof(float) => "a number",
            Type t when t == typeof(bool) => "true or false",
            Type t when t == typeof(string) => "a string",
            _ => "another kind of value",
        };
        return inner is null && type != typeof(string) ? words : $"{words} or null";
    }

    private static void CheckSize(string checkpoint, TrainOptions o, IReadOnlyDictionary<string, SafeTensorEntry> tensors)
    {
        long stored = tensors.Values.Where(t => t.DType == "F32").Sum(t => t.ElementCount);
        long needed;
        try
        {
            (Network g, Network d) = Presets.Networks(o, new RandomSource(0));
            using (g)
            using (d)
            {
                needed = g.Parameters().Concat(d.Parameters()).Sum(p => (long)p.Shape.ElementCount);
            }
        }
        catch (Exception e) when (e is ArgumentException or OverflowException)
        {
            throw new CheckpointFormatException(checkpoint, e is OverflowException
                ? $"has a config (--arch {Short(o.Arch)}, --nz {o.Nz}, --ngf {o.Ngf}, --ndf {o.Ndf}) whose networks are too large to build."
                : $"has a config (--arch {Short(o.Arch)}, --nz {o.Nz}, --ngf {o.Ngf}, --ndf {o.Ndf}) whose networks cannot be built: {Clip(Terminal.ErrorOutput.MessageOf(e))}", e);
        }

        if (needed > stored)
        {
            throw new CheckpointFormatException(checkpoint, $"has a config (--arch {Short(o.Arch)}, --nz {o.Nz}, --ngf {o.Ngf}, --ndf {o.Ndf}) whose networks have {needed} parameters, but the file holds only {stored} float values: config and tensors do not match.");
        }
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Clip(string text) => text.Length <= 300 ? text : $"{text[..300]}...";

    private static string Short(string text) => text.Length <= 40 ? text : $"{text[..40]}...";
}
