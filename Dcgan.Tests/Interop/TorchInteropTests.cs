// Our generator weights in PyTorch and PyTorch's in ours, checked with the real torch (Debian's python3-torch):
// a checkpoint's G loads into the equivalent nn.Sequential with strict=True and gives our samples for the same
// noise; a state_dict saved by torch loads with dcgan generate's --weights reader and gives torch's samples.
// Without a python3 that imports torch the tests are skipped, saying why (never counted as passed).
namespace Dcgan.Tests.Interop;

using System.Diagnostics;
using System.Runtime.InteropServices;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Samples.Commands;
using Dcgan.Samples.Training;
using Dcgan.Serialization;
using Dcgan.Tests.Onnx;
using Dcgan.Tests.Support;

public sealed class TorchInteropTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;
    private const int Count = 8;

    private static readonly Lazy<(string? Python, string Reason)> Torch = new(FindTorch);

    [Theory]
    [InlineData(Architectures.Dcgan)]
    [InlineData(Architectures.TfTutorial)]
    public void Checkpoint_generator_loads_into_torch_strictly_and_gives_our_samples(string arch)
    {
        string python = RequireTorch();
        using var folder = new TempFolder();
        string checkpoint = ExportCommandTests.WriteCheckpoint(folder, arch);
        TrainOptions o = TrainRunner.ReadConfig(checkpoint);
        float[] noise = Noise(o.Nz);

        var backend = new CpuBackend(threads: 1);
        using GanModel model = Presets.Build(o, backend, new RandomSource(0));
        Checkpoint.Load(checkpoint, [new CheckpointPart("G", model.Generator)]);
        float[] ours = Trainer.Sample(model.Generator, backend, noise, model.NoiseShape(Count), "eval");

        string noisePath = folder.Write("noise.bin", MemoryMarshal.AsBytes(noise.AsSpan()).ToArray());
        string outPath = folder.File("torch.bin");
        RunPython(python, $"to-torch \"{checkpoint}\" {arch} {o.Nz} {o.Ngf} \"{noisePath}\" \"{outPath}\"");
        float[] theirs = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outPath)).ToArray();
        Report($"{arch}: our checkpoint's G in torch", ours, theirs);
    }

    [Theory]
    [InlineData(Architectures.Dcgan, "module.")]
    [InlineData(Architectures.TfTutorial, "")]
    public void Torch_state_dict_loads_into_our_generator_and_gives_torchs_samples(string arch, string prefix)
    {
        string python = RequireTorch();
        using var folder = new TempFolder();
        const int nz = 16, ngf = 8;
        float[] noise = Noise(nz);
        string noisePath = folder.Write("noise.bin", MemoryMarshal.AsBytes(noise.AsSpan()).ToArray());
        string weights = folder.File("netG.safetensors");
        string outPath = folder.File("torch.bin");
        RunPython(python, $"from-torch {arch} {nz} {ngf} \"{prefix}\" 5 \"{noisePath}\" \"{weights}\" \"{outPath}\"");
        float[] theirs = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(outPath)).ToArray();

        (TrainOptions o, var stateDict) = PyTorchWeights.Read(weights, arch);
        Assert.Equal((nz, ngf), (o.Nz, o.Ngf));
        var backend = new CpuBackend(threads: 1);
        using GanModel model = Presets.Build(o, backend, new RandomSource(0));
        PyTorchWeights.Load(stateDict, model.Generator, weights);
        float[] ours = Trainer.Sample(model.Generator, backend, noise, model.NoiseShape(Count), "eval");
        Report($"{arch}: torch's state_dict (prefix '{prefix}') in our G", ours, theirs);
    }

    private static float[] Noise(int nz)
    {
        var noise = new float[Count * nz];
        new RandomSource(17).FillNormal(noise);
        return noise;
    }

    private void Report(string what, float[] ours, float[] theirs)
    {
        Assert.Equal(Count * 28 * 28, theirs.Length);
        double scale = theirs.Max(v => Math.Abs((double)v));
        double worst = Compare.Close(what, theirs.Select(v => (double)v).ToArray(), ours, Tolerance, Tolerance * scale);
        double worstAbs = ours.Zip(theirs).Max(p => Math.Abs((double)p.First - p.Second));
        output.WriteLine($"{what}: {ours.Length} values, max |ours − torch| {worstAbs:E2}, relative to max |output| {scale:G4}: {worstAbs / scale:E2} (elementwise worst {worst:E2})");
    }

    private string RequireTorch()
    {
        (string? python, string reason) = Torch.Value;
        if (python is null)
        {
            Assert.Skip(reason);
        }

        output.WriteLine(reason);
        return python;
    }

    private void RunPython(string python, string arguments)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Interop", "torch_generator.py");
        var (exit, stdout, stderr) = Run(python, $"\"{script}\" {arguments}", 120);
        Assert.True(exit == 0, $"{python} torch_generator.py {arguments} exited {exit}\n{stdout}\n{stderr}");
    }

    /// <summary>
    /// $DCGAN_PYTHON when set, else the first of python3 and /usr/bin/python3 that has torch (pyenv's python3 may lack Debian's packages).
    /// It is looked up, not imported (an import costs seconds); a torch that is there but broken fails the tests.
    /// </summary>
    private static (string? Python, string Reason) FindTorch()
    {
        var tried = new List<string>();
        string? chosen = Environment.GetEnvironmentVariable("DCGAN_PYTHON");
        foreach (string candidate in string.IsNullOrEmpty(chosen) ? ["python3", "/usr/bin/python3"] : new[] { chosen })
        {
            try
            {
                var (exit, stdout, stderr) = Run(candidate, "-c \"import importlib.util as u; s = u.find_spec('torch'); print(s.origin if s else 'no torch')\"", 60);
                if (exit == 0 && !stdout.Contains("no torch", StringComparison.Ordinal))
                {
                    return (candidate, $"torch from {candidate}: {stdout.Trim()}");
                }

                tried.Add($"{candidate}: {(exit == 0 ? stdout : stderr).Trim().Split('\n')[^1]}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                tried.Add($"{candidate}: {e.Message}");
            }
        }

        return (null, $"No python3 with torch (install Debian's python3-torch, or set DCGAN_PYTHON): {string.Join("; ", tried)}");
    }

    private static (int Exit, string Out, string Err) Run(string file, string arguments, int timeoutSeconds)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(info)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {arguments} did not finish in {timeoutSeconds} s");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
