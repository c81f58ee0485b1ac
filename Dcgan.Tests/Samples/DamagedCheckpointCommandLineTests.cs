// Damaged checkpoints given to the real program: `generate --checkpoint` and `train --resume` print one line naming
// the file and the problem, exit 2, with no stack trace and no .NET type names, and write nothing.
namespace Dcgan.Tests.Samples;

using System.Text;
using Dcgan.Tests.Serialization;
using Dcgan.Tests.Support;

public sealed class DamagedCheckpointCommandLineTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => new()
    {
        { "generate", "shape above 2^31" },
        { "resume", "shape above 2^31" },
        { "generate", "config not JSON" },
        { "resume", "config not JSON" },
        { "generate", "JSON file" },
        { "resume", "JSON file" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_damaged_checkpoint_is_one_line_and_exit_2(string command, string damage)
    {
        using var dir = new TempFolder();
        byte[] valid = DamagedCheckpointTests.Valid;
        (byte[] bytes, string expected) = damage switch
        {
            "shape above 2^31" => (CheckpointBytes.EditHeader(valid, h => h["D.main.0.weight"]!["shape"]![0] = 2147483648L), "whose shape dimension 0 is 2147483648"),
            "config not JSON" => (CheckpointBytes.EditConfig(valid, json => "{\"arch\": \"dcgan\", \"nz\": "), "config metadata that is not valid JSON"),
            _ => (Encoding.UTF8.GetBytes(CheckpointBytes.Tiny().ToJson()), "is not a checkpoint (safetensors) file"),
        };
        string checkpoint = dir.Write(damage == "JSON file" ? "config.json" : "checkpoint.safetensors", bytes);
        string outDir = dir.File("run");
        string png = dir.File("samples.png");
        var (exit, stdout, stderr) = CommandLineTests.Dcgan(command == "generate"
            ? $"generate --checkpoint \"{checkpoint}\" --out \"{png}\""
            : $"train --resume \"{checkpoint}\" --out \"{outDir}\"", 60);
        output.WriteLine($"exit {exit}\n{stdout}\n{stderr}");
        Assert.Equal(2, exit);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{stderr}");
        Assert.StartsWith($"dcgan: error: {checkpoint}: ", lines[0]);
        Assert.Contains(expected, lines[0]);
        Assert.DoesNotContain("System.", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception", stderr);
        Assert.DoesNotContain("header length of", stderr);
        Assert.False(File.Exists(png), "generate wrote an image from a damaged checkpoint");
        Assert.False(Directory.Exists(outDir), "train --resume created its output folder for a damaged checkpoint");
    }
}
