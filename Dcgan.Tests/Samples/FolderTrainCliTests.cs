// dcgan train on a folder of images and on CIFAR-10 as a user runs it: a few steps at 32×32 RGB with --arch dcgan,
// the cache on the second run, --resume finding the folder again, and bad data as one line naming the path, exit 2,
// no output folder.
namespace Dcgan.Tests.Samples;

using System.Text.Json;
using Dcgan.Tests.Data;
using Dcgan.Tests.Support;
using SkiaSharp;

public sealed class FolderTrainCliTests(ITestOutputHelper output)
{
    private const string Tiny = "--image-size 32 --arch dcgan --limit 8 --batch-size 4 --ngf 4 --ndf 4 --epochs 1";

    [Fact]
    public void Training_on_a_folder_runs_records_the_folder_and_resumes_from_the_cache()
    {
        using var dir = new TempFolder();
        string images = dir.File("images");
        string cache = dir.File("cache");
        string outDir = dir.File("run");
        (_, string corrupt, _) = ImageFolderTests.WriteFolder(images);
        var first = CommandLineTests.Dcgan($"train --dataset folder --data \"{images}\" {Tiny} --out \"{outDir}\"", dataCache: cache);
        output.WriteLine(first.Out + first.Err);
        Assert.True(first.Exit == 0, $"exit {first.Exit}\n{first.Out}\n{first.Err}");
        Assert.Contains($"Decoded 9 images (32×32 RGB) from {images}", first.Out + first.Err, StringComparison.Ordinal);
        Assert.Contains($"skipped 1 of 10 image files that could not be decoded: {corrupt}", first.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", first.Err, StringComparison.Ordinal);

        using (JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))))
        {
            JsonElement root = config.RootElement;
            Assert.Equal(32, root.GetProperty("image-size").GetInt32());
            Assert.Equal(3, root.GetProperty("channels").GetInt32());
            JsonElement data = root.GetProperty("data-used");
            Assert.Equal("folder", data.GetProperty("dataset").GetString());
            Assert.Equal(images, data.GetProperty("location").GetString());
            Assert.Equal(8, data.GetProperty("images").GetInt32());
            Assert.Equal(3, data.GetProperty("channels").GetInt32());
        }

        using (SKBitmap grid = SKBitmap.Decode(Path.Combine(outDir, "epoch_0001.png")))
        {
            Assert.NotNull(grid);
            output.WriteLine($"grid {grid.Width}×{grid.Height} {grid.ColorType}");
        }

        // The checkpoint's folder and size come back on --resume; the images come from the cache and match.
        var resumed = CommandLineTests.Dcgan($"train --resume \"{Path.Combine(outDir, "checkpoint.safetensors")}\" --epochs 2", dataCache: cache);
        output.WriteLine(resumed.Out + resumed.Err);
        Assert.True(resumed.Exit == 0, $"exit {resumed.Exit}\n{resumed.Out}\n{resumed.Err}");
        Assert.Contains($"Read 9 images (32×32 RGB) from the cache of {images}", resumed.Out + resumed.Err, StringComparison.Ordinal);
        Assert.Contains("Resumed from", resumed.Out + resumed.Err, StringComparison.Ordinal);

        // generate builds the 32×32 RGB generator from the checkpoint's config: 4 tiles of 32 + 2 px padding, scaled 2×.
        string samples = dir.File("samples.png");
        var generated = CommandLineTests.Dcgan($"generate --checkpoint \"{Path.Combine(outDir, "checkpoint.safetensors")}\" --count 4 --out \"{samples}\"");
        Assert.True(generated.Exit == 0, $"exit {generated.Exit}\n{generated.Out}\n{generated.Err}");
        using SKBitmap picture = SKBitmap.Decode(samples);
        Assert.Equal(2 * ((2 * (32 + 2)) + 2), picture.Width);
    }

    [Fact]
    public void Icons_train_over_a_background_that_config_json_records_and_resume_keeps()
    {
        using var dir = new TempFolder();
        string icons = dir.File("icons");
        string cache = dir.File("cache");
        string outDir = dir.File("run");
        Directory.CreateDirectory(icons);
        for (int i = 0; i < 8; i++)
        {
            // A grey glyph on a transparent background whose hidden colour is black, as icon sets store it.
            byte[] rgba = ImageFolderTests.Picture(24, 24, i, grey: true);
            for (int p = 0; p < 24 * 24; p++)
            {
                int x = p % 24, y = p / 24;
                bool glyph = Math.Abs(x - 12) + Math.Abs(y - 12) < 6 + i;
                rgba[(4 * p) + 3] = glyph ? (byte)255 : (byte)0;
                if (!glyph)
                {
                    rgba[4 * p] = rgba[(4 * p) + 1] = rgba[(4 * p) + 2] = 0;
                }
            }

            File.WriteAllBytes(Path.Combine(icons, $"icon{i}.png"), ImageFolderTests.Encode(rgba, 24, 24, SKEncodedImageFormat.Png));
        }

        var first = CommandLineTests.Dcgan($"train --dataset folder --data \"{icons}\" --background White {Tiny} --out \"{outDir}\"", dataCache: cache);
        output.WriteLine(first.Out + first.Err);
        Assert.True(first.Exit == 0, $"exit {first.Exit}\n{first.Out}\n{first.Err}");
        Assert.Contains($"Decoded 8 images (32×32 RGB over #ffffff) from {icons}", first.Out + first.Err, StringComparison.Ordinal);
        using (JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json"))))
        {
            Assert.Equal("White", config.RootElement.GetProperty("background").GetString());
        }

        // --resume decodes over the checkpoint's background (from the cache), whatever --background says now; the data
        // settings given with it are checked against the checkpoint's dataset (folder), not the default one (mnist, whose
        // grey 28×28 images once made "--channels 3" an error here).
        var resumed = CommandLineTests.Dcgan($"train --resume \"{Path.Combine(outDir, "checkpoint.safetensors")}\" --background black --channels 3 --epochs 2", dataCache: cache);
        output.WriteLine(resumed.Out + resumed.Err);
        Assert.True(resumed.Exit == 0, $"exit {resumed.Exit}\n{resumed.Out}\n{resumed.Err}");
        Assert.Contains("--resume: --channels, --background ignored", resumed.Err, StringComparison.Ordinal);
        Assert.Contains($"Read 8 images (32×32 RGB over #ffffff) from the cache of {icons}", resumed.Out + resumed.Err, StringComparison.Ordinal);

        // eval has no classifier for folder images: one line saying so, not a command that cannot work.
        var eval = CommandLineTests.Dcgan($"eval --checkpoint \"{Path.Combine(outDir, "checkpoint.safetensors")}\" --count 16", dataCache: cache);
        output.WriteLine(eval.Err);
        Assert.Equal(2, eval.Exit);
        Assert.Contains("was trained on folder images (3×32×32); 'dcgan eval' measures quality with a classifier of 28×28 grey MNIST or Fashion-MNIST images", eval.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Dcgan64_on_a_folder_writes_an_8_by_8_grid_of_64x64_colour_tiles()
    {
        using var dir = new TempFolder();
        string images = dir.File("images");
        string outDir = dir.File("run");
        ImageFolderTests.WriteFolder(images);
        var run = CommandLineTests.Dcgan($"train --arch dcgan64 --dataset folder --data \"{images}\" --limit 8 --batch-size 4 --ngf 4 --ndf 4 --epochs 1 --out \"{outDir}\"", dataCache: dir.File("cache"));
        Assert.True(run.Exit == 0, $"exit {run.Exit}\n{run.Out}\n{run.Err}");
        Assert.Contains("(64×64 RGB)", run.Out + run.Err, StringComparison.Ordinal);
        using SKBitmap grid = SKBitmap.Decode(Path.Combine(outDir, "epoch_0001.png"));
        const int side = (8 * (64 + 2)) + 2; // 64 samples in 8 columns of 64-pixel tiles with 2-pixel borders, unscaled
        Assert.Equal((side, side), (grid.Width, grid.Height));
        int colourful = 0;
        for (int y = 2; y < side; y += 5)
        {
            for (int x = 2; x < side; x += 5)
            {
                SKColor c = grid.GetPixel(x, y);
                colourful += c.Red != c.Green || c.Green != c.Blue ? 1 : 0;
            }
        }

        output.WriteLine($"grid {grid.Width}x{grid.Height}; {colourful} of the probed pixels are not grey");
        Assert.True(colourful > 100, $"only {colourful} probed pixels differ between channels: the grid is not in colour");
    }

    [Fact]
    public void Training_on_cifar10_runs_at_32x32_rgb()
    {
        using var dir = new TempFolder();
        string cifar = dir.File("cifar");
        Directory.CreateDirectory(cifar);
        ImageFolderTests.WriteCifar(cifar, recordsPerBatch: 2);
        string outDir = dir.File("run");
        var run = CommandLineTests.Dcgan($"train --dataset cifar10 --data \"{cifar}\" --limit 8 --batch-size 4 --ngf 4 --ndf 4 --epochs 1 --out \"{outDir}\"");
        output.WriteLine(run.Out + run.Err);
        Assert.True(run.Exit == 0, $"exit {run.Exit}\n{run.Out}\n{run.Err}");
        Assert.Contains($"Read the CIFAR-10 training set (10 images, RGB) from {cifar}", run.Out + run.Err, StringComparison.Ordinal);
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "config.json")));
        Assert.Equal(32, config.RootElement.GetProperty("image-size").GetInt32());
    }

    public static TheoryData<string, string> BadData => new()
    {
        { "empty", "expected image files" },
        { "undecodable", "none of its 2 image files could be decoded" },
        { "loop-only", "which contains the link (a loop); expected a folder tree without loops" },
        { "cifar-size", "expected a multiple of 3,073 bytes" },
        { "idx-zero", "holds 0 images" },
        { "no-data", "--dataset folder needs --data DIR" },
        { "mnist-size", "--image-size is 64, but mnist's IDX images are 28×28" },
        { "odd-size", "--arch dcgan needs a multiple of 4" },
        { "dcgan64-size", "--arch dcgan64 makes 64×64 images; the data is 32×32" },
        { "bad-background", "--background is 'grey'; expected none, white, black or #RRGGBB (six hex digits, e.g. #808080)." },
        { "short-background", "--background is '#12345'; expected none, white, black or #RRGGBB" },
        { "mnist-background", "--background is for --dataset folder only; mnist's images have no transparency (alpha channel) to composite" },
        { "cifar-background", "--background is for --dataset folder only; cifar10's images have no transparency" },
    };

    [Theory]
    [MemberData(nameof(BadData))]
    public void Bad_data_is_one_line_naming_the_path_exit_2_and_no_output_folder(string kind, string expected)
    {
        using var dir = new TempFolder();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        string flags = $"--dataset folder --data \"{data}\" {Tiny}";
        string? named = data;
        switch (kind)
        {
            case "undecodable":
                File.WriteAllBytes(Path.Combine(data, "a.png"), [1, 2, 3]);
                File.WriteAllBytes(Path.Combine(data, "b.jpg"), [0xFF, 0xD8, 0xFF, 0, 0, 0]);
                break;
            case "loop-only":
                if (OperatingSystem.IsWindows())
                {
                    return;
                }

                File.CreateSymbolicLink(Path.Combine(data, "loop"), ".");
                break;
            case "cifar-size":
                ImageFolderTests.WriteCifar(data, recordsPerBatch: 1);
                named = Path.Combine(data, "data_batch_4.bin");
                File.WriteAllBytes(named, new byte[3073 + 7]);
                flags = $"--dataset cifar10 --data \"{data}\" --batch-size 4";
                break;
            case "idx-zero":
                named = Path.Combine(data, "train-images-idx3-ubyte");
                File.WriteAllBytes(named, IdxFiles.Images([], 0));
                File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), IdxFiles.Labels([], 0));
                flags = $"--data \"{data}\"";
                break;
            case "no-data":
                flags = "--dataset folder";
                named = null;
                break;
            case "mnist-size":
                flags = "--image-size 64";
                named = null;
                break;
            case "odd-size":
                flags = $"--dataset folder --data \"{data}\" --image-size 30";
                named = null;
                break;
            case "dcgan64-size":
                // Refused before decoding: the one file here does not decode, which would otherwise be the error.
                File.WriteAllBytes(Path.Combine(data, "a.png"), [1, 2, 3]);
                flags = $"--dataset folder --data \"{data}\" --arch dcgan64 --image-size 32";
                named = null;
                break;
            case "bad-background":
                flags += " --background grey";
                named = null;
                break;
            case "short-background":
                flags += " --background \"#12345\"";
                named = null;
                break;
            case "mnist-background":
                flags = "--background white";
                named = null;
                break;
            case "cifar-background":
                ImageFolderTests.WriteCifar(data, recordsPerBatch: 1);
                flags = $"--dataset cifar10 --data \"{data}\" --background none";
                named = null;
                break;
        }

        string outDir = dir.File("never");
        var (exit, stdout, stderr) = CommandLineTests.Dcgan($"train {flags} --out \"{outDir}\"", dataCache: dir.File("cache"));
        output.WriteLine(stdout + stderr);
        Assert.Equal(2, exit);
        string error = Assert.Single(stderr.Split('\n'), l => l.StartsWith("dcgan: error: ", StringComparison.Ordinal));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (named is not null)
        {
            Assert.Contains(named, error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), "no output folder");
    }
}
