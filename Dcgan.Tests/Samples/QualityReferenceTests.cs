// FrechetDistance and the classifier score against values computed independently in float64 with torch (the Fréchet
// trace term by a general, non-symmetric eigen solver) and kept as data: Samples/QualityReference/quality_reference.json,
// written by quality_reference.py next to it. No Python is needed to run these tests.
namespace Dcgan.Tests.Samples;

using System.Text.Json;
using Dcgan.Samples.Quality;

public sealed class QualityReferenceTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-9;

    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", "QualityReference", "quality_reference.json"))));

    public static TheoryData<string> FrechetCases() => [.. Cases("frechet")];

    public static TheoryData<string> ScoreCases() => [.. Cases("score")];

    [Theory]
    [MemberData(nameof(FrechetCases))]
    public void Frechet_distance_matches_torch(string name)
    {
        JsonElement c = Case("frechet", name);
        int d = c.GetProperty("dimension").GetInt32();
        (double[] a, int countA) = Matrix(c.GetProperty("a"));
        (double[] b, int countB) = Matrix(c.GetProperty("b"));
        double expected = c.GetProperty("distance").GetDouble();
        double actual = FrechetDistance.Compute(a, countA, b, countB, d);
        double swapped = FrechetDistance.Compute(b, countB, a, countA, d);
        double error = Math.Max(Math.Abs(actual - expected), Math.Abs(swapped - expected)) / Math.Abs(expected);
        output.WriteLine($"{name}: {countA} and {countB} vectors of {d}; torch {expected:R}, ours {actual:R} (swapped {swapped:R}); relative error {error:E2}");
        Assert.True(error <= Tolerance, $"relative error {error:E2} > {Tolerance:E0}");
    }

    [Theory]
    [MemberData(nameof(ScoreCases))]
    public void Classifier_score_matches_torch(string name)
    {
        JsonElement c = Case("score", name);
        Assert.Equal(MnistClassifier.Classes, c.GetProperty("classes").GetInt32());
        (double[] p, int count) = Matrix(c.GetProperty("probabilities"));
        double expected = c.GetProperty("score").GetDouble();
        double actual = QualityReport.ClassifierScore(p, count);
        double error = Math.Abs(actual - expected) / expected;
        output.WriteLine($"{name}: {count} rows; torch {expected:R}, ours {actual:R}; relative error {error:E2}");
        Assert.True(error <= Tolerance, $"relative error {error:E2} > {Tolerance:E0}");
    }

    private static IEnumerable<string> Cases(string kind) =>
        Reference.Value.RootElement.GetProperty(kind).EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    private static JsonElement Case(string kind, string name) =>
        Reference.Value.RootElement.GetProperty(kind).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static (double[] Values, int Rows) Matrix(JsonElement rows)
    {
        double[][] r = rows.EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        return (r.SelectMany(row => row).ToArray(), r.Length);
    }
}
