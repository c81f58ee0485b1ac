// Whole DCGAN training steps in TorchSharp (libtorch, CPU), for comparison with `dcgan bench`.
// The presets, the steps, the timing and the output are those of ../pytorch/dcgan_step.py (see its docstring and
// ../README.md): tf-tutorial = TensorFlow's tutorial networks and simultaneous train_step (batch 256); dcgan =
// Radford et al. on 28×28 with nz 100, ngf = ndf = 64 and pytorch/examples' alternating step (batch 128).
// Usage: dotnet bin/Release/net10.0/dcgan-step-torchsharp.dll [--arch tf-tutorial|dcgan|dcgan64] [--batch-size N]
//        [--threads N] [--steps N] [--warmup N] [--layer-runs N] [--seed N] [--json] [--sgemm]
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using Layer = TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;

namespace DcganStepTorchSharp;

internal sealed record Options(string Arch, int BatchSize, int Threads, int Steps, int Warmup, int LayerRuns, long Seed, bool Json, bool Sgemm)
{
    public static Options Parse(string[] args)
    {
        string arch = "tf-tutorial";
        int? batch = null;
        int threads = 0, steps = 20, warmup = 5, layerRuns = 5;
        long seed = 1;
        bool json = false, sgemm = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--arch": arch = Next(); break;
                case "--batch-size": batch = NextInt(); break;
                case "--threads": threads = NextInt(); break;
                case "--steps": steps = NextInt(); break;
                case "--warmup": warmup = NextInt(); break;
                case "--layer-runs": layerRuns = NextInt(); break;
                case "--seed": seed = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--json": json = true; break;
                case "--sgemm": sgemm = true; break;
                case "-h" or "--help":
                    Console.WriteLine("options: --arch tf-tutorial|dcgan|dcgan64 --batch-size N --threads N (0 = all cores) --steps N --warmup N --layer-runs N --seed N --json --sgemm");
                    Environment.Exit(0);
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }

        if (arch is not ("tf-tutorial" or "dcgan" or "dcgan64"))
        {
            throw new ArgumentException($"--arch is '{arch}'; expected tf-tutorial, dcgan or dcgan64");
        }

        int b = batch ?? (arch == "tf-tutorial" ? 256 : 128);
        if (b < 2 || steps < 1 || warmup < 0 || threads < 0 || layerRuns < 0)
        {
            throw new ArgumentException("--batch-size must be >= 2, --steps >= 1; --warmup, --threads and --layer-runs >= 0");
        }

        return new Options(arch, b, threads, steps, warmup, layerRuns, seed, json, sgemm);
    }
}

/// <summary>A convolution or linear layer of a network with the name the layer table prints.</summary>
internal sealed record Named(string Name, Layer Module, string Description, Func<long[], long[], double> MultiplyAdds);

/// <summary>G, D, their Adam optimizers and the preset's step.</summary>
internal sealed class Preset
{
    private readonly List<Tensor> _gParams, _dParams;
    private readonly torch.optim.Optimizer _optG, _optD;
    private readonly Tensor _ones, _zeros;

    public Preset(string arch, int batch)
    {
        Arch = arch;
        bool tf = arch == "tf-tutorial";
        var g = new List<(string, Layer)>();
        var d = new List<(string, Layer)>();
        if (tf)
        {
            // Keras defaults in PyTorch terms: BN momentum 0.01, eps 1e-3; LeakyReLU 0.3; "same" 5×5 padding 2.
            Add(g, nn.Linear(100, 256 * 7 * 7, hasBias: false), Linear(100, 256 * 7 * 7, false));
            g.Add(("1", nn.BatchNorm1d(256 * 7 * 7, eps: 1e-3, momentum: 0.01)));
            g.Add(("2", nn.LeakyReLU(0.3)));
            g.Add(("3", nn.Unflatten(1, [256, 7, 7])));
            Add(g, nn.ConvTranspose2d(256, 128, 5, stride: 1, padding: 2, bias: false), ConvT(256, 128, 5, 1, 2, 0));
            g.Add(("5", nn.BatchNorm2d(128, eps: 1e-3, momentum: 0.01)));
            g.Add(("6", nn.LeakyReLU(0.3)));
            Add(g, nn.ConvTranspose2d(128, 64, 5, stride: 2, padding: 2, output_padding: 1, bias: false), ConvT(128, 64, 5, 2, 2, 1));
            g.Add(("8", nn.BatchNorm2d(64, eps: 1e-3, momentum: 0.01)));
            g.Add(("9", nn.LeakyReLU(0.3)));
            Add(g, nn.ConvTranspose2d(64, 1, 5, stride: 2, padding: 2, output_padding: 1, bias: false), ConvT(64, 1, 5, 2, 2, 1));
            g.Add(("11", nn.Tanh()));

            Add(d, nn.Conv2d(1, 64, 5, stride: 2, padding: 2), Conv(1, 64, 5, 2, 2, true));
            d.Add(("1", nn.LeakyReLU(0.3)));
            d.Add(("2", nn.Dropout(0.3)));
            Add(d, nn.Conv2d(64, 128, 5, stride: 2, padding: 2), Conv(64, 128, 5, 2, 2, true));
            d.Add(("4", nn.LeakyReLU(0.3)));
            d.Add(("5", nn.Dropout(0.3)));
            d.Add(("6", nn.Flatten()));
            Add(d, nn.Linear(128 * 7 * 7, 1), Linear(128 * 7 * 7, 1, true));
        }
        else if (arch == "dcgan64")
        {
            // pytorch/examples' dcgan/main.py at 64×64, 3 channels, ngf = ndf = 64.
            int[] gc = [100, 512, 256, 128, 64];
            for (int i = 0; i < 4; i++)
            {
                int k = i == 0 ? 1 : 2, p = i == 0 ? 0 : 1;
                Add(g, nn.ConvTranspose2d(gc[i], gc[i + 1], 4, stride: k, padding: p, bias: false), ConvT(gc[i], gc[i + 1], 4, k, p, 0));
                g.Add(($"{(3 * i) + 1}", nn.BatchNorm2d(gc[i + 1])));
                g.Add(($"{(3 * i) + 2}", nn.ReLU()));
            }

            Add(g, nn.ConvTranspose2d(64, 3, 4, stride: 2, padding: 1, bias: false), ConvT(64, 3, 4, 2, 1, 0));
            g.Add(("13", nn.Tanh()));

            Add(d, nn.Conv2d(3, 64, 4, stride: 2, padding: 1, bias: false), Conv(3, 64, 4, 2, 1, false));
            d.Add(("1", nn.LeakyReLU(0.2)));
            int[] dc = [64, 128, 256, 512];
            for (int i = 0; i < 3; i++)
            {
                Add(d, nn.Conv2d(dc[i], dc[i + 1], 4, stride: 2, padding: 1, bias: false), Conv(dc[i], dc[i + 1], 4, 2, 1, false));
                d.Add(($"{3 + (3 * i)}", nn.BatchNorm2d(dc[i + 1])));
                d.Add(($"{4 + (3 * i)}", nn.LeakyReLU(0.2)));
            }

            Add(d, nn.Conv2d(512, 1, 4, stride: 1, bias: false), Conv(512, 1, 4, 1, 0, false));
        }
        else
        {
            Add(g, nn.ConvTranspose2d(100, 256, 7, stride: 1, padding: 0, bias: false), ConvT(100, 256, 7, 1, 0, 0));
            g.Add(("1", nn.BatchNorm2d(256)));
            g.Add(("2", nn.ReLU()));
            Add(g, nn.ConvTranspose2d(256, 128, 4, stride: 2, padding: 1, bias: false), ConvT(256, 128, 4, 2, 1, 0));
            g.Add(("4", nn.BatchNorm2d(128)));
            g.Add(("5", nn.ReLU()));
            Add(g, nn.ConvTranspose2d(128, 1, 4, stride: 2, padding: 1, bias: false), ConvT(128, 1, 4, 2, 1, 0));
            g.Add(("7", nn.Tanh()));

            Add(d, nn.Conv2d(1, 64, 4, stride: 2, padding: 1, bias: false), Conv(1, 64, 4, 2, 1, false));
            d.Add(("1", nn.LeakyReLU(0.2)));
            Add(d, nn.Conv2d(64, 128, 4, stride: 2, padding: 1, bias: false), Conv(64, 128, 4, 2, 1, false));
            d.Add(("3", nn.BatchNorm2d(128)));
            d.Add(("4", nn.LeakyReLU(0.2)));
            Add(d, nn.Conv2d(128, 1, 7, stride: 1, bias: false), Conv(128, 1, 7, 1, 0, false));
        }

        G = nn.Sequential(g);
        D = nn.Sequential(d);
        GLayers = g;
        DLayers = d;
        using (torch.no_grad())
        {
            foreach (var (_, m) in g.Concat(d))
            {
                Initialise(m, tf);
            }
        }

        G.train();
        D.train();
        _gParams = [.. G.parameters().Select(p => (Tensor)p)];
        _dParams = [.. D.parameters().Select(p => (Tensor)p)];
        double lr = tf ? 1e-4 : 2e-4, beta1 = tf ? 0.9 : 0.5, eps = tf ? 1e-7 : 1e-8;
        _optG = torch.optim.Adam(G.parameters(), lr: lr, beta1: beta1, beta2: 0.999, eps: eps);
        _optD = torch.optim.Adam(D.parameters(), lr: lr, beta1: beta1, beta2: 0.999, eps: eps);
        long[] logitShape = tf ? [batch, 1] : [batch, 1, 1, 1];
        _ones = torch.ones(logitShape);
        _zeros = torch.zeros(logitShape);
        NoiseShape = tf ? [batch, 100] : [batch, 100, 1, 1];
        ImageShape = arch == "dcgan64" ? [batch, 3, 64, 64] : [batch, 1, 28, 28];
    }

    /// <summary>The real batch's shape: [N, 1, 28, 28], or [N, 3, 64, 64] for dcgan64.</summary>
    public long[] ImageShape { get; }

    public string Arch { get; }

    public Layer G { get; }

    public Layer D { get; }

    public List<(string Name, Layer Module)> GLayers { get; }

    public List<(string Name, Layer Module)> DLayers { get; }

    public long[] NoiseShape { get; }

    /// <summary>Descriptions and multiply-add counts of the conv and linear layers, by module.</summary>
    public Dictionary<Layer, (string Description, Func<long[], long[], double> MultiplyAdds)> Described { get; } = [];

    /// <summary>One training step; returns (loss_D, loss_G).</summary>
    public (float, float) Step(Tensor real, Tensor noise) => Arch == "tf-tutorial" ? Simultaneous(real, noise) : Alternating(real, noise);

    // TensorFlow's train_step: one G forward and one D forward per batch; gen_loss's gradient goes to G's parameters
    // only (through D, without D's weight gradients), disc_loss's to D's only; then both Adam steps.
    private (float, float) Simultaneous(Tensor real, Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        _optG.zero_grad();
        _optD.zero_grad();
        Tensor fake = G.forward(noise);
        Tensor logitsReal = D.forward(real);
        Tensor logitsFake = D.forward(fake);
        Tensor lossG = nn.functional.binary_cross_entropy_with_logits(logitsFake, _ones);
        Tensor lossD = nn.functional.binary_cross_entropy_with_logits(logitsReal, _ones)
            + nn.functional.binary_cross_entropy_with_logits(logitsFake, _zeros);
        lossG.backward(retain_graph: true, inputs: _gParams);
        lossD.backward(inputs: _dParams);
        _optG.step();
        _optD.step();
        return (lossD.item<float>(), lossG.item<float>());
    }

    // pytorch/examples' step: D on real, D on G(z) detached, D's Adam step; then the same fake batch through the
    // updated D against label 1, backward into G's parameters only, G's Adam step.
    private (float, float) Alternating(Tensor real, Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        _optD.zero_grad();
        Tensor lossReal = nn.functional.binary_cross_entropy_with_logits(D.forward(real), _ones);
        lossReal.backward();
        Tensor fake = G.forward(noise);
        Tensor lossFake = nn.functional.binary_cross_entropy_with_logits(D.forward(fake.detach()), _zeros);
        lossFake.backward();
        _optD.step();
        _optG.zero_grad();
        Tensor lossG = nn.functional.binary_cross_entropy_with_logits(D.forward(fake), _ones);
        lossG.backward(inputs: _gParams);
        _optG.step();
        return (lossReal.item<float>() + lossFake.item<float>(), lossG.item<float>());
    }

    private void Add(List<(string, Layer)> list, Layer m, (string Description, Func<long[], long[], double> MultiplyAdds) info)
    {
        list.Add((list.Count.ToString(CultureInfo.InvariantCulture), m));
        Described[m] = info;
    }

    private static (string, Func<long[], long[], double>) Linear(int inF, int outF, bool bias) =>
        ($"Linear(in_features={inF}, out_features={outF}, bias={(bias ? "True" : "False")})", (i, _) => (double)i[0] * inF * outF);

    // Formula counts of `dcgan bench` (taps on padding included): a conv costs Cin·k² per output value; a transposed
    // conv scatters every input value into Cout·k² outputs.
    private static (string, Func<long[], long[], double>) Conv(int cin, int cout, int k, int s, int p, bool bias) =>
        ($"Conv2d({cin}, {cout}, kernel_size=({k}, {k}), stride=({s}, {s}), padding=({p}, {p}){(bias ? string.Empty : ", bias=False")})",
         (_, o) => (double)o[0] * o[2] * o[3] * cin * cout * k * k);

    private static (string, Func<long[], long[], double>) ConvT(int cin, int cout, int k, int s, int p, int op) =>
        ($"ConvTranspose2d({cin}, {cout}, kernel_size=({k}, {k}), stride=({s}, {s}), padding=({p}, {p}), output_padding=({op}, {op}), bias=False)",
         (i, _) => (double)i[0] * i[2] * i[3] * cin * cout * k * k);

    // tf-tutorial: Keras' Glorot-uniform kernels and zero biases; dcgan: Radford et al.'s N(0, 0.02), BN weight N(1, 0.02).
    private static void Initialise(Layer m, bool tf)
    {
        foreach (var (name, p) in m.named_parameters())
        {
            bool isBatchNorm = m is TorchSharp.Modules.BatchNorm1d or TorchSharp.Modules.BatchNorm2d;
            if (name == "bias")
            {
                nn.init.zeros_(p);
            }
            else if (isBatchNorm)
            {
                if (tf)
                {
                    nn.init.ones_(p);
                }
                else
                {
                    nn.init.normal_(p, 1.0, 0.02);
                }
            }
            else if (tf)
            {
                nn.init.xavier_uniform_(p);
            }
            else
            {
                nn.init.normal_(p, 0.0, 0.02);
            }
        }
    }
}

internal static class Program
{
    private const int EpochImages = 60_000;

    private static int Main(string[] args)
    {
        Options o;
        try
        {
            o = Options.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"dcgan-step-torchsharp: {e.Message}");
            return 2;
        }

        int threads = o.Threads == 0 ? Environment.ProcessorCount : o.Threads;
        torch.set_num_threads(threads);
        torch.manual_seed(o.Seed);
        Console.WriteLine($"# torchsharp dcgan_step: cpu {CpuModel()}, {Environment.ProcessorCount} cores; TorchSharp " +
            $"{typeof(torch).Assembly.GetName().Version}, libtorch {torch.__version__}, ATen cpu capability {CpuCapability()}, " +
            $"{torch.get_num_threads()} torch threads, load {LoadAverage()}");
        if (o.Sgemm)
        {
            RunSgemm(o, threads);
            return 0;
        }

        var preset = new Preset(o.Arch, o.BatchSize);
        Console.WriteLine($"# {o.Arch}, batch {o.BatchSize}, {o.Steps} steps after {o.Warmup} warm-up");
        double[] s = TimeSteps(preset, o);
        double med = Median(s), ipsMed = o.BatchSize / med, ipsMin = o.BatchSize / s[^1], ipsMax = o.BatchSize / s[0];
        double epochS = EpochImages / ipsMed;
        Console.WriteLine(Inv($"step: median {med * 1e3:F1} ms, min {s[0] * 1e3:F1} ms, max {s[^1] * 1e3:F1} ms"));
        Console.WriteLine(Inv($"img/s: median {ipsMed:F1} (min {ipsMin:F1}, max {ipsMax:F1}); {epochS:F1} s per {EpochImages:N0}-image epoch"));
        var layers = o.LayerRuns > 0 ? TimeLayers(preset, o) : [];
        if (layers.Count > 0)
        {
            Console.WriteLine($"{"layer",-64} {"forward ms",11} {"backward ms",12} {"fwd GFLOP/s",12} {"bwd GFLOP/s",12}");
            foreach (var l in layers)
            {
                string name = l.Name.Length <= 64 ? l.Name : l.Name[..63] + "…";
                Console.WriteLine(Inv($"{name,-64} {l.ForwardMs,11:F2} {l.BackwardMs,12:F2} {l.ForwardGflops,12:F1} {l.BackwardGflops,12:F1}"));
            }

            Console.WriteLine(Inv($"layers: {layers.Sum(l => l.ForwardMs):F1} ms forward + {layers.Sum(l => l.BackwardMs):F1} ms backward once each"));
        }

        if (o.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                impl = "torchsharp",
                torchsharp = typeof(torch).Assembly.GetName().Version?.ToString(),
                libtorch = torch.__version__,
                cpu_capability = CpuCapability(),
                arch = o.Arch,
                batch_size = o.BatchSize,
                threads = torch.get_num_threads(),
                device = "cpu",
                steps = o.Steps,
                img_per_s_median = Math.Round(ipsMed, 2),
                img_per_s_min = Math.Round(ipsMin, 2),
                img_per_s_max = Math.Round(ipsMax, 2),
                step_ms_median = Math.Round(med * 1e3, 3),
                epoch_s = Math.Round(epochS, 2),
                load = LoadAverage(),
                layers = layers.Select(l => new
                {
                    name = l.Name,
                    forward_ms = Math.Round(l.ForwardMs, 3),
                    backward_ms = Math.Round(l.BackwardMs, 3),
                    forward_ms_min = Math.Round(l.ForwardMinMs, 3),
                    backward_ms_min = Math.Round(l.BackwardMinMs, 3),
                    gflops = Math.Round(l.Gflops, 2),
                    forward_gflops = Math.Round(l.ForwardGflops, 2),
                    backward_gflops = Math.Round(l.BackwardGflops, 2),
                }),
            }));
        }

        return 0;
    }

    /// <summary>Warm-up, then timed steps on one fixed random real batch with fresh noise drawn before each clock start.</summary>
    private static double[] TimeSteps(Preset preset, Options o)
    {
        using Tensor real = torch.rand(preset.ImageShape) * 2 - 1;
        for (int i = 0; i < o.Warmup; i++)
        {
            using Tensor z = torch.randn(preset.NoiseShape);
            preset.Step(real, z);
        }

        var seconds = new double[o.Steps];
        for (int i = 0; i < o.Steps; i++)
        {
            using Tensor noise = torch.randn(preset.NoiseShape);
            long t0 = Stopwatch.GetTimestamp();
            preset.Step(real, noise);
            seconds[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }

        Array.Sort(seconds);
        return seconds;
    }

    private sealed record LayerTiming(string Name, double ForwardMs, double BackwardMs, double ForwardMinMs, double BackwardMinMs,
        double ForwardGflops, double BackwardGflops, double Gflops);

    /// <summary>Each conv and linear layer alone: random input of the shape a forward pass gives it, forward, then
    /// backward to input and weights with a fixed random output gradient; medians of the runs.</summary>
    private static List<LayerTiming> TimeLayers(Preset preset, Options o)
    {
        var inputs = new List<(string Name, Layer Module, long[] In, long[] Out)>();
        using (torch.no_grad())
        {
            Tensor h = torch.randn(preset.NoiseShape);
            foreach (var (prefix, list) in new[] { ("G", preset.GLayers), ("D", preset.DLayers) })
            {
                foreach (var (name, m) in list)
                {
                    Tensor next = m.forward(h);
                    if (preset.Described.ContainsKey(m))
                    {
                        inputs.Add(($"{prefix}.{name}", m, h.shape, next.shape));
                    }

                    h = next;
                }
            }
        }

        var rows = new List<LayerTiming>();
        foreach (var (name, m, inShape, outShape) in inputs)
        {
            var (description, multiplyAdds) = preset.Described[m];
            using Tensor x = torch.randn(inShape).requires_grad_(true);
            using Tensor grad = torch.randn(outShape);
            using (torch.NewDisposeScope())
            {
                m.forward(x).backward([grad]);
            }

            var fwd = new double[o.LayerRuns];
            var bwd = new double[o.LayerRuns];
            for (int r = 0; r < o.LayerRuns; r++)
            {
                using var scope = torch.NewDisposeScope();
                m.zero_grad();
                x.grad?.zero_();
                long t0 = Stopwatch.GetTimestamp();
                Tensor y = m.forward(x);
                long t1 = Stopwatch.GetTimestamp();
                y.backward([grad]);
                long t2 = Stopwatch.GetTimestamp();
                fwd[r] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                bwd[r] = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
            }

            Array.Sort(fwd);
            Array.Sort(bwd);
            double f = Median(fwd), b = Median(bwd), flops = 2.0 * multiplyAdds(inShape, outShape);
            rows.Add(new LayerTiming($"{name} {description}", f * 1e3, b * 1e3, fwd[0] * 1e3, bwd[0] * 1e3,
                flops / f / 1e9, 2 * flops / b / 1e9, 3 * flops / (f + b) / 1e9));
        }

        preset.G.train();
        preset.D.train();
        return rows;
    }

    private static void RunSgemm(Options o, int threads)
    {
        var rows = new List<object>();
        foreach (int n in new[] { 2048, 3072 })
        {
            using Tensor a = torch.randn(n, n), b = torch.randn(n, n);
            for (int i = 0; i < 2; i++)
            {
                torch.mm(a, b).Dispose();
            }

            var seconds = new double[Math.Max(3, o.Steps)];
            for (int i = 0; i < seconds.Length; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                torch.mm(a, b).Dispose();
                seconds[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            }

            Array.Sort(seconds);
            double flop = 2.0 * n * n * n, median = Math.Round(flop / Median(seconds) / 1e9, 1), best = Math.Round(flop / seconds[0] / 1e9, 1);
            Console.WriteLine(Inv($"sgemm {n}x{n}x{n}: median {median:F1} GFLOP/s, best {best:F1} GFLOP/s ({seconds.Length} runs)"));
            rows.Add(new { n, gflops_median = median, gflops_max = best });
        }

        if (o.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { impl = "torchsharp", mode = "sgemm", threads, sgemm = rows }));
        }
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    // TorchSharp does not wrap at::get_cpu_capability(); libtorch exports it (std::string at::get_cpu_capability(),
    // C++11 ABI). On x86-64 System V a std::string result is written through a hidden first-argument pointer; the
    // string is {char* data; size_t size; char local[16]} and the value ("AVX512", "AVX2", ...) fits the local buffer.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at18get_cpu_capabilityB5cxx11Ev")]
    private static extern IntPtr GetCpuCapabilityNative(IntPtr result);

    private static string? _capability;

    private static string CpuCapability()
    {
        if (_capability is not null)
        {
            return _capability;
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return _capability = "unknown (only read on linux-x64)";
        }

        IntPtr buffer = Marshal.AllocHGlobal(64);
        try
        {
            GetCpuCapabilityNative(buffer);
            IntPtr data = Marshal.ReadIntPtr(buffer);
            long size = Marshal.ReadInt64(buffer, 8);
            _capability = size is > 0 and < 64 ? Marshal.PtrToStringAnsi(data, (int)size) : "unknown";
            // A longer value would live on libstdc++'s heap; left there (a few bytes, once).
            return _capability;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return _capability = "unknown (" + e.GetType().Name + ")";
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }
}
