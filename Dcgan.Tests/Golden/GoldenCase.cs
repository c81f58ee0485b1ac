// Reads the PyTorch golden cases (format dcgan-golden/1, see Golden/Cases/FORMAT.md) from a folder:
// DCGAN_GOLDEN_DIR when set, else the copy shipped with the tests.
namespace Dcgan.Tests.Golden;

using System.Text.Json;

public sealed record GoldenTensor(int[] Shape, double[] Data)
{
    public float[] ToFloat() => Array.ConvertAll(Data, d => (float)d);
}

public sealed class GoldenCase
{
    public required string File { get; init; }
    public required string Name { get; init; }
    public required string Op { get; init; }
    public required JsonElement Attrs { get; init; }
    public required double Rtol { get; init; }
    public required double Atol { get; init; }
    public required Dictionary<string, GoldenTensor> Tensors { get; init; }

    public static string Folder
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable("DCGAN_GOLDEN_DIR");
            return string.IsNullOrWhiteSpace(env) ? Path.Combine(AppContext.BaseDirectory, "Golden", "Cases") : env;
        }
    }

    public static IEnumerable<string> Files(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal) : [];

    public GoldenTensor this[string name] =>
        Tensors.TryGetValue(name, out GoldenTensor? t) ? t : throw new KeyNotFoundException($"Golden case {Name} has no tensor '{name}'.");

    public bool Has(string name) => Tensors.ContainsKey(name);

    public int Int(string attr) => Attrs.GetProperty(attr).GetInt32();

    public double Double(string attr) => Attrs.GetProperty(attr).GetDouble();

    public bool Bool(string attr) => Attrs.GetProperty(attr).GetBoolean();

    public int[] IntArray(string attr) => Attrs.GetProperty(attr).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static GoldenCase Load(string path)
    {
        using JsonDocument doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        JsonElement root = doc.RootElement;
        string format = root.GetProperty("format").GetString() ?? string.Empty;
        if (format != "dcgan-golden/1")
        {
            throw new InvalidDataException($"{path}: format is '{format}'; expected 'dcgan-golden/1'.");
        }

        var tensors = new Dictionary<string, GoldenTensor>(StringComparer.Ordinal);
        foreach (JsonProperty p in root.GetProperty("tensors").EnumerateObject())
        {
            int[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            double[] data = p.Value.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            long expected = shape.Aggregate(1L, (a, b) => a * b);
            if (data.Length != expected)
            {
                throw new InvalidDataException($"{path}: tensor {p.Name} has {data.Length} values for shape [{string.Join(", ", shape)}].");
            }

            tensors[p.Name] = new GoldenTensor(shape, data);
        }

        JsonElement tol = root.TryGetProperty("tolerance", out JsonElement t) ? t : default;
        return new GoldenCase
        {
            File = path,
            Name = root.GetProperty("name").GetString() ?? Path.GetFileNameWithoutExtension(path),
            Op = root.GetProperty("op").GetString() ?? string.Empty,
            Attrs = root.TryGetProperty("attrs", out JsonElement a) ? a.Clone() : default,
            Rtol = tol.ValueKind == JsonValueKind.Object && tol.TryGetProperty("rtol", out JsonElement r) ? r.GetDouble() : 1e-4,
            Atol = tol.ValueKind == JsonValueKind.Object && tol.TryGetProperty("atol", out JsonElement at) ? at.GetDouble() : 1e-5,
            Tensors = tensors,
        };
    }
}
