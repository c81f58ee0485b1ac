// `dcgan bench` as a user runs it: a tiny run prints the step timings, the layer table and, with --json, one JSON
// object on the last line with the documented fields; bad values give one error line and exit code 2.
namespace Dcgan.Tests.Samples;

using System.Text.Json;

public sealed class BenchCommandTests
{
    [Fact]
    public void Bench_prints_step_and_layer_timings_with_json_last()
    {
        var (exit, stdout, stderr) = CommandLineTests.Dcgan("bench --arch dcgan --batch-size 4 --steps 2 --warmup 1 --layer-runs 1 --threads 2 --json");
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("img/s: median", stdout);
        string last = stdout.TrimEnd().Split('\n')[^1];
        using JsonDocument json = JsonDocument.Parse(last);
        JsonElement root = json.RootElement;
        foreach (string key in new[] { "img_per_s_median", "img_per_s_min", "img_per_s_max", "epoch_s" })
        {
            Assert.True(root.GetProperty(key).GetDouble() > 0, $"{key} is not positive in {last}");
        }

        Assert.True(root.GetProperty("img_per_s_min").GetDouble() <= root.GetProperty("img_per_s_max").GetDouble(), last);
        JsonElement[] layers = [.. root.GetProperty("layers").EnumerateArray()];

        // dcgan: three ConvTranspose2d in G, three Conv2d in D.
        Assert.Equal(6, layers.Length);
        Assert.Contains(layers, l => l.GetProperty("name").GetString()!.Contains("ConvTranspose2d(256, 128", StringComparison.Ordinal));
        Assert.All(layers, l => Assert.True(l.GetProperty("forward_ms").GetDouble() > 0 && l.GetProperty("backward_ms").GetDouble() > 0 && l.GetProperty("gflops").GetDouble() > 0, l.ToString()));
    }

    [Fact]
    public void Bench_rejects_zero_steps_with_one_line_and_the_help_hint()
    {
        var (exit, stdout, stderr) = CommandLineTests.Dcgan("bench --steps 0");
        Assert.True(exit == 2, $"exit {exit}\n{stdout}\n{stderr}");
        string[] lines = stderr.Trim().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains("--steps is 0", lines[0]);
        Assert.Equal("See 'dcgan bench --help'.", lines[1].Trim());
    }
}
