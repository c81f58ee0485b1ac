// Runs the real dcgan program (dcgan.dll beside the tests) as a user would: a short real training on the
// embedded digits with every output checked, generate, Ctrl+C, and bad data files (one line, exit != 0, nothing written).
namespace Dcgan.Tests.Samples;

using System.Diagnostics;
using System.Globalization;
using Dcgan.Serialization;
using Dcgan.Tests.Data;
using Dcgan.Tests.Support;
using ImageMagick;
using SkiaSharp;

public sealed class CommandLineTests
{
    internal static (int Exit, string Out, string Err) Dcgan(string arguments, int timeoutSeconds = 240, string? dataCache = null)
    {
        string dll = typeof(global::Dcgan.Samples.Program).Assembly.Location;
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["CI"] = "true";
        info.Environment["DCGAN_DATA"] = dataCache ?? Path.Combine(Path.GetTempPath(), "dcgan-tests-no-cache");
        using var p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"dcgan {arguments} did not finish in {timeoutSeconds} s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void A_run_that_cannot_start_writes_nothing()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("never");
        var (exit, _, stderr) = Dcgan($"train --limit 100 --out \"{outDir}\"");
        Assert.Equal(2, exit);
        Assert.Contains("fewer than one batch", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir), $"{outDir} was created by a run that trained nothing");
    }

    [Fact]
    public void Short_real_training_writes_every_output_and_starts_at_2_ln_2()
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        var (exit, stdout, stderr) = Dcgan($"train --limit 256 --batch-size 32 --ngf 8 --ndf 8 --epochs 2 --seed 1 --out \"{outDir}\"");
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.DoesNotContain('\u001b', stdout + stderr);
        Assert.Contains("embedded", stdout + stderr, StringComparison.OrdinalIgnoreCase);

        foreach (string grid in new[] { "epoch_0001.png", "epoch_0002.png" })
        {
            using SKBitmap bitmap = SKBitmap.Decode(Path.Combine(outDir, grid));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 4 * 28 && bitmap.Height > 4 * 28, $"{grid} is {bitmap.Width}x{bitmap.Height}");
        }

        using (var gif = new MagickImageCollection(Path.Combine(outDir, "progress.gif")))
        {
            Assert.Equal(2, gif.Count);
            Assert.Equal(0u, gif[0].AnimationIterations);
        }

        using (SKBitmap plot = SKBitmap.Decode(Path.Combine(outDir, "losses.png")))
        {
            Assert.NotNull(plot);
        }

        string[] csv = File.ReadAllLines(Path.Combine(outDir, "losses.csv"));
        Assert.Equal("epoch,step,loss_d,loss_g,d_x,d_g_z", csv[0]);
        Assert.Equal(1 + (2 * (256 / 32)), csv.Length);
        float[][] rows = csv.Skip(1).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.All(rows, r => Assert.All(r, v => Assert.True(float.IsFinite(v))));
        Assert.InRange(rows[0][2], 2 * Math.Log(2) - 0.1, 2 * Math.Log(2) + 0.1);

        string config = File.ReadAllText(Path.Combine(outDir, "config.json"));
        Assert.Contains("\"arch\": \"dcgan\"", config);
        Assert.Contains("\"batch-size\": 32", config);
        var (tensors, meta) = SafeTensors.Read(Path.Combine(outDir, "checkpoint.safetensors"));
        Assert.Equal("2", meta["epoch"]);
        Assert.True(tensors.ContainsKey("G.main.0.weight"));

        string samples = dir.File("samples.png");
        var gen = Dcgan($"generate --checkpoint \"{Path.Combine(outDir, "checkpoint.safetensors")}\" --count 9 --out \"{samples}\" --seed 3");
        Assert.True(gen.Exit == 0, gen.Err);
        using SKBitmap s = SKBitmap.Decode(samples);
        Assert.NotNull(s);

        // generate never overwrites unasked, and writes only what the file name says.
        byte[] first = File.ReadAllBytes(samples);
        string ckpt = Path.Combine(outDir, "checkpoint.safetensors");
        var again = Dcgan($"generate --checkpoint \"{ckpt}\" --count 4 --out \"{samples}\" --seed 4");
        Assert.Equal(2, again.Exit);
        Assert.Contains("--force", again.Err, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllBytes(samples));
        var forced = Dcgan($"generate --checkpoint \"{ckpt}\" --count 4 --out \"{samples}\" --seed 4 --force");
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.NotEqual(first, File.ReadAllBytes(samples));
        string jpeg = dir.File("samples.jpg");
        var wrongFormat = Dcgan($"generate --checkpoint \"{ckpt}\" --count 4 --out \"{jpeg}\"");
        Assert.Equal(2, wrongFormat.Exit);
        Assert.Contains(".png", wrongFormat.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(jpeg));
    }

    [Fact]
    public async Task Ctrl_C_finishes_the_step_saves_a_checkpoint_and_exits_130()
    {
        // A process started in the background by a non-interactive shell ignores SIGINT, and its children inherit that
        // (the runtime keeps an inherited SIG_IGN): the trainer is then started through GNU env, which restores the
        // default disposition first; only without such an env can the signal not reach it.
        bool restore = SigIntIgnored();
        if (restore && !EnvRestoresSignals())
        {
            Assert.Skip("SIGINT is ignored in this process (started in the background by a non-interactive shell) and this env has no --default-signal, so a child cannot receive Ctrl+C.");
        }

        await SignalAfterStep3StopsCleanly("INT", 130, "stopping after this step", restoreSigInt: restore);
    }

    [Fact]
    public Task Sigterm_finishes_the_step_saves_a_checkpoint_and_exits_143() =>
        SignalAfterStep3StopsCleanly("TERM", 143, "SIGTERM");

    // `timeout` and systemd signal the process group and `dotnet run` forwards the signal too: one stop request can
    // arrive twice within milliseconds, and must still save rather than abort.
    [Fact]
    public Task A_sigterm_delivered_twice_at_once_still_saves_and_exits_143() =>
        SignalAfterStep3StopsCleanly("TERM", 143, "SIGTERM", twice: true);

    // Sends the signal once step 3 of a long run has been logged, then expects the exit code, the message, a checkpoint
    // saved mid-epoch and the --resume hint.
    private static async Task SignalAfterStep3StopsCleanly(string signal, int exitCode, string message, bool twice = false, bool restoreSigInt = false)
    {
        using var dir = new TempFolder();
        string outDir = dir.File("run");
        string dll = typeof(global::Dcgan.Samples.Program).Assembly.Location;
        string arguments = $"\"{dll}\" train --limit 2048 --batch-size 16 --ngf 4 --ndf 4 --epochs 50 --log-every 1 --out \"{outDir}\"";
        var info = new ProcessStartInfo(restoreSigInt ? "env" : "dotnet", restoreSigInt ? $"--default-signal=INT dotnet {arguments}" : arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["CI"] = "true";
        using var p = Process.Start(info)!;
        Task<string> stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string? line;
        while ((line = p.StandardOutput.ReadLine()) is not null && !line.StartsWith("[1/50][3/", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        using (var kill = Process.Start("sh", ["-c", twice ? $"kill -{signal} {p.Id}; kill -{signal} {p.Id}" : $"kill -{signal} {p.Id}"]))
        {
            kill.WaitForExit();
        }

        string rest = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            Assert.Fail($"dcgan did not stop within 60 s of SIG{signal}");
        }

        string errors = await stderr;
        Assert.True(p.ExitCode == exitCode, $"exit {p.ExitCode}\n{rest}\n{errors}");
        Assert.Contains(message, errors, StringComparison.Ordinal);
        var (_, meta) = SafeTensors.Read(Path.Combine(outDir, "checkpoint.safetensors"));
        Assert.Equal("0", meta["epoch"]);
        Assert.True(int.Parse(meta["step_in_epoch"], CultureInfo.InvariantCulture) >= 3);
        Assert.Contains("--resume", rest + errors);
    }

    // GNU coreutils' env (8.31 and later) resets a signal to its default action before it runs the command.
    private static bool EnvRestoresSignals()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("env", "--default-signal=INT true") { RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static bool SigIntIgnored()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return false;
        }

        string? line = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << 1)) != 0;
    }

    public static TheoryData<string, string> BadFiles() => new()
    {
        { "little-endian", "50855936" },
        { "gzip-inside-gzip", "529205256" },
        { "html", "HTML" },
        { "truncated", "truncated" },
        { "count-mismatch", "labels" },
        { "empty-folder", "train-images-idx3-ubyte" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_data_gives_one_line_naming_the_file_and_writes_nothing(string kind, string expected)
    {
        using var dir = new TempFolder();
        string data = dir.File("data");
        Directory.CreateDirectory(data);
        byte[] images = IdxFiles.Images(IdxFiles.Pattern(40), 40);
        byte[] labels = IdxFiles.Labels(new byte[40], 40);
        switch (kind)
        {
            case "little-endian":
                images = IdxFiles.Images(IdxFiles.Pattern(40), 40, magic: 50855936);
                break;
            case "gzip-inside-gzip":
                images = IdxFiles.Gzip(IdxFiles.GzipWithName(images, "train-images-idx3-ubyte"));
                break;
            case "html":
                images = "<!DOCTYPE html><html><body>Forbidden</body></html>"u8.ToArray();
                break;
            case "truncated":
                images = images[..(images.Length - 100)];
                break;
            case "count-mismatch":
                labels = IdxFiles.Labels(new byte[39], 39);
                break;
        }

        if (kind != "empty-folder")
        {
            File.WriteAllBytes(Path.Combine(data, "train-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(data, "train-labels-idx1-ubyte"), labels);
        }

        string outDir = dir.File("out");
        var (exit, stdout, stderr) = Dcgan($"train --data \"{data}\" --batch-size 8 --ngf 4 --ndf 4 --epochs 1 --out \"{outDir}\"", 60);
        Assert.True(exit != 0, $"exit 0 for {kind}\n{stdout}\n{stderr}");
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{stderr}");
        Assert.Contains(expected, lines[0], StringComparison.OrdinalIgnoreCase);
        Assert.Contains(kind == "empty-folder" ? data : "train-", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(outDir), $"{outDir} was created");
    }

    [Fact]
    public void Bad_flag_values_name_the_value()
    {
        var (exit, _, stderr) = Dcgan("train --batch-size 1 --epochs 1");
        Assert.NotEqual(0, exit);
        Assert.Contains("--batch-size is 1", stderr);
        var help = Dcgan("train --help");
        Assert.Equal(0, help.Exit);
        Assert.Contains("drop_last", help.Out);
        Assert.Contains("--sample-mode", help.Out);
    }
}

public sealed class DeviceCommandLineTests
{
    [Fact]
    public void Ilgpu_cpu_training_matches_cpu_losses_to_1e_3()
    {
        using var dir = new TempFolder();
        string Csv(string device)
        {
            string outDir = dir.File(device);
            var (exit, stdout, stderr) = CommandLineTests.Dcgan($"train --device {device} --epochs 1 --limit 256 --batch-size 32 --ngf 8 --ndf 8 --seed 1 --out \"{outDir}\"");
            Assert.True(exit == 0, $"{device}: exit {exit}\n{stdout}\n{stderr}");
            return Path.Combine(outDir, "losses.csv");
        }

        var cpu = File.ReadAllLines(Csv("cpu")).Skip(1).Select(l => l.Split(',').Skip(2).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var gpu = File.ReadAllLines(Csv("ilgpu-cpu")).Skip(1).Select(l => l.Split(',').Skip(2).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.Equal(cpu.Length, gpu.Length);
        double worst = cpu.Zip(gpu).SelectMany(p => p.First.Zip(p.Second, (a, b) => Math.Abs(a - b))).Max();
        Assert.True(worst <= 1e-3, $"largest loss difference {worst}");
    }

    [Fact]
    public void Cuda_without_a_gpu_is_one_line_and_a_non_zero_exit()
    {
        if (Dcgan.Gpu.DeviceProbe.Probe().HasUsableDevice)
        {
            Assert.Skip("a CUDA device is present");
        }

        var (exit, _, stderr) = CommandLineTests.Dcgan("train --device cuda --epochs 1 --limit 64 --batch-size 32");
        Assert.Equal(2, exit);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--device cpu", stderr);
        var devices = CommandLineTests.Dcgan("devices");
        Assert.Equal(0, devices.Exit);
        Assert.Contains("ilgpu-cpu", devices.Out);
    }
}
