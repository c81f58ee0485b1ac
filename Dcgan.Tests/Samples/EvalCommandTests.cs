// `dcgan eval` and `dcgan classifier train` run as a user runs them: a tiny checkpoint measured with the shipped
// classifier and with a freshly trained one, the JSON last line, and bad input as one line with exit code 2.
namespace Dcgan.Tests.Samples;

using System.Text.Json;
using Dcgan.Tests.Support;

public sealed class EvalCommandTests(ITestOutputHelper output)
{
    [Fact]
    public void Eval_of_a_tiny_checkpoint_prints_every_number_and_one_json_line()
    {
        using var dir = new TempFolder();
        string run = dir.File("run");
        var (exit, _, stderr) = CommandLineTests.Dcgan($"train --limit 256 --batch-size 32 --ngf 8 --ndf 8 --epochs 1 --seed 1 --out \"{run}\"");
        Assert.True(exit == 0, stderr);
        string checkpoint = Path.Combine(run, "checkpoint.safetensors");

        (exit, string stdout, stderr) = CommandLineTests.Dcgan($"eval --checkpoint \"{checkpoint}\" --count 300 --seed 3 --json");
        output.WriteLine(stdout);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Fréchet distance on classifier features", stdout, StringComparison.Ordinal);
        Assert.Contains("not Inception FID", stdout, StringComparison.Ordinal);
        string last = stdout.TrimEnd().Split('\n')[^1];
        using JsonDocument json = JsonDocument.Parse(last);
        JsonElement r = json.RootElement;
        Assert.Equal(300, r.GetProperty("samples").GetInt32());
        Assert.Equal(10_000, r.GetProperty("real_images").GetInt32());
        double distance = r.GetProperty("frechet_distance").GetDouble(), baseline = r.GetProperty("real_vs_real").GetDouble();
        double score = r.GetProperty("classifier_score").GetDouble();
        double[] shares = r.GetProperty("class_shares").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(10, shares.Length);
        Assert.Equal(1.0, shares.Sum(), 1e-9);
        Assert.Equal(shares.Max(), r.GetProperty("highest_share").GetDouble());
        Assert.InRange(score, 1.0, 10.0);
        Assert.True(baseline > 0 && distance > 10 * baseline, $"one epoch on 256 images cannot be close to real digits: distance {distance}, real vs real {baseline}");

        // The same seed gives the same samples and numbers.
        var (again, stdout2, _) = CommandLineTests.Dcgan($"eval --checkpoint \"{checkpoint}\" --count 300 --seed 3 --json");
        Assert.Equal(0, again);
        Assert.Equal(last, stdout2.TrimEnd().Split('\n')[^1]);
    }

    [Fact]
    public void Classifier_train_writes_weights_that_eval_reads_and_bad_input_is_one_line()
    {
        using var dir = new TempFolder();
        string weights = dir.File("c.safetensors");
        var (exit, stdout, stderr) = CommandLineTests.Dcgan($"classifier train --epochs 1 --out \"{weights}\"");
        output.WriteLine(stdout);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Held-out accuracy", stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(weights).Length is > 100_000 and < 1_000_000, $"{weights} is {new FileInfo(weights).Length} bytes");

        (exit, _, stderr) = CommandLineTests.Dcgan($"classifier train --epochs 1 --out \"{weights}\"");
        Assert.Equal(2, exit);
        Assert.Contains("exists; pass --force", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = CommandLineTests.Dcgan($"eval --checkpoint \"{weights}\" --count 50");
        Assert.Equal(2, exit);
        Assert.Contains("not a dcgan checkpoint", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'), l => !l.StartsWith("See 'dcgan", StringComparison.Ordinal));

        (exit, _, stderr) = CommandLineTests.Dcgan($"eval --checkpoint \"{weights}\" --count 1");
        Assert.Equal(2, exit);
        Assert.Contains("--count is 1", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = CommandLineTests.Dcgan($"eval --checkpoint \"{dir.File("missing.safetensors")}\"");
        Assert.Equal(2, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }
}
