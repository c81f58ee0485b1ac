// The trainer as a user meets it: usage errors in plain words with a suggestion and the help hint, pytorch/examples'
// flag spellings, config.json recording what ran (no nulls), and --resume refusing data other than the checkpoint's.
namespace Dcgan.Tests.Samples;

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dcgan.Serialization;
using Dcgan.Tests.Data;
using Dcgan.Tests.Support;

public sealed class TrainRecordCliTests(ITestOutputHelper output)
{
    private const string Tiny = "--limit 64 --batch-size 32 --ngf 8 --ndf 8";

    [Fact]
    public void A_new_run_refuses_a_folder_holding_another_unless_forced_and_a_dry_run_never_writes_into_the_run_it_resumes()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        string checkpoint = Path.Combine(outDir, "checkpoint.safetensors"), losses = Path.Combine(outDir, "losses.csv");
        var first = CommandLineTests.Dcgan($"train {Tiny} --epochs 2 --out \"{outDir}\"");
        Assert.True(first.Exit == 0, first.Err);
        byte[] saved = File.ReadAllBytes(checkpoint);
        string rows = File.ReadAllText(losses);

        // A second run into the same folder would append its losses to the first's and leave its grids behind.
        var again = CommandLineTests.Dcgan($"train {Tiny} --epochs 1 --out \"{outDir}\"");
        output.WriteLine(again.Err);
        Assert.Equal(2, again.Exit);
        Assert.Contains($"--out {outDir} already holds a run (config.json, checkpoint.safetensors, losses.csv); continue it with --resume {checkpoint}, choose another --out, or pass --force", again.Err, StringComparison.Ordinal);
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
        Assert.Equal(rows, File.ReadAllText(losses));

        // A trial step of a resumed run goes elsewhere, never into the run itself.
        var dry = CommandLineTests.Dcgan($"train --resume \"{checkpoint}\" --epochs 3 --dry-run");
        output.WriteLine(dry.Err);
        Assert.Equal(2, dry.Exit);
        Assert.Contains($"--dry-run with --resume would write its one step into the run being resumed ({outDir}); give --out a new folder", dry.Err, StringComparison.Ordinal);
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
        Assert.False(File.Exists(Path.Combine(outDir, "epoch_0003.png")));
        Assert.Equal(0, CommandLineTests.Dcgan($"train --resume \"{checkpoint}\" --epochs 3 --dry-run --out \"{dir.File("trial")}\"").Exit);
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));

        // --force starts over: nothing of the first run is left to mix with the second.
        var forced = CommandLineTests.Dcgan($"train {Tiny} --epochs 1 --out \"{outDir}\" --force");
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.False(File.Exists(Path.Combine(outDir, "epoch_0002.png")), "the first run's second grid is gone");
        Assert.All(File.ReadAllLines(losses).Skip(1), line => Assert.StartsWith("1,", line, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("train --batchsize 32", "unknown option '--batchsize'; did you mean '--batch-size'?", "See 'dcgan train --help'.")]
    [InlineData("train --epochs abc", "--epochs: 'abc' is not an integer.", "See 'dcgan train --help'.")]
    [InlineData("train --seed -1", "--seed: '-1' is not a whole number >= 0.", "See 'dcgan train --help'.")]
    [InlineData("trian --epochs 1", "unknown command 'trian'; did you mean 'train'?", "See 'dcgan --help' or 'dcgan <command> --help'.")]
    [InlineData("train --epochs 0", "--epochs is 0; it must be >= 1.", "See 'dcgan train --help'.")]
    [InlineData("train --arch foo", "--arch is 'foo'; expected one of: 'dcgan', 'dcgan64', 'tf-tutorial'.", "See 'dcgan train --help'.")]
    [InlineData("classifier", "'dcgan classifier' needs one of its commands: train.", "See 'dcgan classifier --help'.")]
    [InlineData("generate --chekpoint x.safetensors", "did you mean '--checkpoint'?", "See 'dcgan generate --help'.")]
    public void Usage_errors_are_plain_words_with_a_suggestion_and_the_help_hint(string arguments, string expected, string hint)
    {
        var (exit, _, stderr) = CommandLineTests.Dcgan(arguments);
        output.WriteLine(stderr);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Equal(hint, lines[^1]);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Dcgan_alone_prints_the_help()
    {
        var (exit, stdout, stderr) = CommandLineTests.Dcgan(string.Empty);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains("train", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Required command", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Pytorch_examples_spellings_work_and_config_json_records_what_ran_without_nulls()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        var (exit, stdout, stderr) = CommandLineTests.Dcgan($"train --niter 1 --batchSize 32 --manualSeed 7 --outf \"{outDir}\" --limit 64 --ngf 8 --ndf 8");
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        string text = File.ReadAllText(Path.Combine(outDir, "config.json"));
        output.WriteLine(text);
        Assert.DoesNotContain("null", text, StringComparison.Ordinal);
        using JsonDocument config = JsonDocument.Parse(text);
        JsonElement root = config.RootElement;
        Assert.Equal(1, root.GetProperty("epochs").GetInt32());
        Assert.Equal(32, root.GetProperty("batch-size").GetInt32());
        Assert.Equal(7UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(Path.GetFullPath(outDir), root.GetProperty("out").GetString());
        Assert.True(root.GetProperty("threads").GetInt32() >= 1, "threads is the count used, not 0 for 'all'");
        Assert.StartsWith("cpu: ", root.GetProperty("device-name").GetString(), StringComparison.Ordinal);
        JsonElement data = root.GetProperty("data-used");
        Assert.Equal("embedded", data.GetProperty("source").GetString());
        Assert.Equal(64, data.GetProperty("images").GetInt32());
        Assert.Matches("^sha256:[0-9a-f]{64}$", data.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void Resume_refuses_other_data_unless_allowed_and_keeps_the_checkpoints_own_source()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        string checkpoint = Path.Combine(outDir, "checkpoint.safetensors");
        var first = CommandLineTests.Dcgan($"train --epochs 1 {Tiny} --out \"{outDir}\"");
        Assert.True(first.Exit == 0, $"exit {first.Exit}\n{first.Out}\n{first.Err}");

        // Other digits in a folder, and the same folder as a full MNIST set appearing in the cache.
        string other = dir.File("other");
        Directory.CreateDirectory(other);
        File.WriteAllBytes(Path.Combine(other, "train-images-idx3-ubyte"), IdxFiles.Images(IdxFiles.Pattern(64), 64));
        File.WriteAllBytes(Path.Combine(other, "train-labels-idx1-ubyte"), IdxFiles.Labels(new byte[64], 64));
        string cache = dir.File("cache");
        Directory.CreateDirectory(Path.Combine(cache, "mnist"));
        foreach (string f in Directory.GetFiles(other))
        {
            File.Copy(f, Path.Combine(cache, "mnist", Path.GetFileName(f)));
        }

        byte[] before = File.ReadAllBytes(checkpoint);
        var refused = CommandLineTests.Dcgan($"train --resume \"{checkpoint}\" --epochs 2 --data \"{other}\"");
        output.WriteLine(refused.Err);
        Assert.Equal(2, refused.Exit);
        Assert.Contains("was trained on mnist from the embedded sample (64 images", refused.Err, StringComparison.Ordinal);
        Assert.Contains($"the data found now is mnist from {other} (64 images", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--allow-data-change", refused.Err, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));

        // Without --data the checkpoint's own source (the embedded sample) is used, not the new set in the cache.
        var same = CommandLineTests.Dcgan($"train --resume \"{checkpoint}\" --epochs 2", dataCache: cache);
        Assert.True(same.Exit == 0, $"exit {same.Exit}\n{same.Out}\n{same.Err}");
        Assert.Contains("as the checkpoint's run did", same.Out + same.Err, StringComparison.Ordinal);

        var allowed = CommandLineTests.Dcgan($"train --resume \"{checkpoint}\" --epochs 3 --data \"{other}\" --allow-data-change");
        Assert.True(allowed.Exit == 0, $"exit {allowed.Exit}\n{allowed.Out}\n{allowed.Err}");
        Assert.Contains("continuing on the new data", allowed.Err, StringComparison.Ordinal);
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json")));
        Assert.Equal("folder", config.RootElement.GetProperty("data-used").GetProperty("source").GetString());
    }

    [Fact]
    public void Nothing_to_train_says_so_and_trains_nothing()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        var first = CommandLineTests.Dcgan($"train --epochs 1 {Tiny} --out \"{outDir}\"");
        Assert.True(first.Exit == 0, $"exit {first.Exit}\n{first.Out}\n{first.Err}");
        DateTime written = File.GetLastWriteTimeUtc(Path.Combine(outDir, "config.json"));
        var again = CommandLineTests.Dcgan($"train --resume \"{Path.Combine(outDir, "checkpoint.safetensors")}\"");
        string text = again.Out + again.Err;
        Assert.Equal(0, again.Exit);
        Assert.Contains("Nothing to train", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Training ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Done", text, StringComparison.Ordinal);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(outDir, "config.json")));
    }

    [Fact]
    public void An_output_path_that_is_a_file_is_one_sentence_not_a_dotnet_text()
    {
        using var dir = new TempFolder();
        string file = dir.Write("a-file", [1, 2, 3]);
        var train = CommandLineTests.Dcgan($"train {Tiny} --out \"{file}\"");
        Assert.Equal(2, train.Exit);
        Assert.Contains($"--out {file} is a file; expected a folder", train.Err, StringComparison.Ordinal);
        var generate = CommandLineTests.Dcgan($"generate --checkpoint x.safetensors --out \"{Path.Combine(file, "x.png")}\"");
        Assert.Equal(2, generate.Exit);
        Assert.Contains($"{file} is a file, so no folder can be made inside it", generate.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("already exists", train.Err + generate.Err, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(file));
    }

    [Fact]
    public void Kill_9_after_the_first_epoch_leaves_a_checkpoint_that_resumes()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        string dll = typeof(global::Dcgan.Samples.Program).Assembly.Location;
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" train --limit 256 --batch-size 32 --ngf 4 --ndf 4 --epochs 50 --log-every 1 --out \"{outDir}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["CI"] = "true";
        using var p = Process.Start(info)!;
        _ = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string? line;
        // Epoch 2's first step is logged after epoch 1's checkpoint was written.
        while ((line = p.StandardOutput.ReadLine()) is not null && !line.StartsWith("[2/50][", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        p.Kill(); // SIGKILL: no handler runs
        p.WaitForExit();
        string checkpoint = Path.Combine(outDir, "checkpoint.safetensors");
        var (_, meta) = SafeTensors.Read(checkpoint);
        int epoch = int.Parse(meta["epoch"], CultureInfo.InvariantCulture);
        output.WriteLine($"killed in epoch 2; checkpoint at epoch {epoch}, step {meta["step_in_epoch"]}");
        Assert.True(epoch >= 1, $"the checkpoint is at epoch {epoch}");
        var resumed = CommandLineTests.Dcgan($"train --resume \"{checkpoint}\" --epochs {epoch + 1}");
        Assert.True(resumed.Exit == 0, $"exit {resumed.Exit}\n{resumed.Out}\n{resumed.Err}");
        Assert.Contains($"Resumed from {checkpoint} after epoch {epoch}", resumed.Out + resumed.Err, StringComparison.Ordinal);
    }
}
