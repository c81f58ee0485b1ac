// `dcgan bench`: whole training steps of a preset on random data (the trainer's networks, optimizers and step),
// timed step by step, then every convolution and linear layer's forward and backward timed on its own, with
// GFLOP/s by the usual formula count (2 × multiply-adds, backward = 2 × forward, padding taps included).
namespace Dcgan.Samples.Commands;

using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Samples.Terminal;
using Dcgan.Samples.Training;
using Dcgan.Tensors;

public static class BenchCommand
{
    /// <summary>Images in the epoch the report converts throughput to (MNIST's training set).</summary>
    public const int EpochImages = 60_000;

    private const double Mebibyte = 1024.0 * 1024;

    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = $"Architecture preset, as for train (default {Architectures.Dcgan}): {string.Join("; ", Presets.All.Select(p => $"{p.Name}: {p.Description}"))}.", DefaultValueFactory = _ => Architectures.Dcgan };
        arch.AcceptOnlyFromAmong(Architectures.All);
        var batchSize = new Option<int?>("--batch-size") { Description = $"Images per step (default: {Presets.Defaults(p => p.BatchSize)})." };
        var steps = new Option<int>("--steps") { Description = "Timed training steps.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first (JIT, buffer allocation).", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = all cores).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = Devices.Help, DefaultValueFactory = _ => "cpu" };
        var layerRuns = new Option<int>("--layer-runs") { Description = "Timed runs per layer for the layer table (0 skips it).", DefaultValueFactory = _ => 5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initialisation and the random data.", DefaultValueFactory = _ => 1UL };
        var json = new Option<bool>("--json") { Description = "Also print the results as one JSON object on the last line." };
        var command = new Command("bench", "Time whole training steps of a preset on random data, and each convolution and linear layer.")
        {
            arch, batchSize, steps, warmup, threads, device, layerRuns, seed, json,
        };
        command.SetAction(r => Run(new BenchOptions(r.GetValue(arch)!, r.GetValue(batchSize), r.GetValue(steps), r.GetValue(warmup),
            r.GetValue(threads), r.GetValue(device)!, r.GetValue(layerRuns), r.GetValue(seed), r.GetValue(json)), System.Console.Out));
        return command;
    }

    public static int Run(BenchOptions o, TextWriter output)
    {
        try
        {
            o.Validate();
            var train = new TrainOptions { Arch = o.Arch, BatchSize = o.BatchSize, Threads = o.Threads, Device = o.Device, Seed = o.Seed }.Resolve();
            int batch = train.ResolvedBatchSize;
            using IBackend backend = Devices.Create(o.Device, o.Threads);
            using GanModel model = Presets.Build(train, backend, new RandomSource(o.Seed));
            int threadCount = o.Threads == 0 ? Environment.ProcessorCount : o.Threads;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# dcgan bench: {o.Arch}, batch {batch}, {o.Steps} steps after {o.Warmup} warm-up, device {backend.Name}{(backend is GpuBackend g ? $" ({g.DeviceName})" : "")}, {Environment.ProcessorCount} cores, {(backend is CpuBackend cpu ? cpu.Description : $"{threadCount} host threads")}, load {LoadAverage()}"));
            (long UsedBytes, long TotalBytes)? memoryBefore = GpuMemory.Query(backend);

            BenchResult result = TimeSteps(model, backend, batch, o);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"step: median {result.StepMedianSeconds * 1e3:F1} ms, min {result.StepMinSeconds * 1e3:F1} ms, max {result.StepMaxSeconds * 1e3:F1} ms"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"img/s: median {result.ImagesPerSecondMedian:F1} (min {result.ImagesPerSecondMin:F1}, max {result.ImagesPerSecondMax:F1}); {result.EpochSeconds:F1} s per {EpochImages:N0}-image epoch; {result.AllocatedBytesPerStep:N0} bytes allocated per step"));

            var layers = new List<LayerTiming>();
            if (o.LayerRuns > 0)
            {
                layers.AddRange(TimeLayers(model.Generator, "G", model.NoiseShape(batch), backend, o));
                layers.AddRange(TimeLayers(model.Discriminator, "D", new TensorShape(batch, model.Geometry.Channels, model.Geometry.Height, model.Geometry.Width), backend, o));
                output.WriteLine($"{"layer",-64} {"forward ms",11} {"backward ms",12} {"fwd GFLOP/s",12} {"bwd GFLOP/s",12}");
                foreach (LayerTiming l in layers)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{Truncate(l.Name, 64),-64} {l.ForwardMs,11:F2} {l.BackwardMs,12:F2} {l.ForwardGflops,12:F1} {l.BackwardGflops,12:F1}"));
                }

                double fwd = layers.Sum(l => l.ForwardMs), bwd = layers.Sum(l => l.BackwardMs);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"layers: {fwd:F1} ms forward + {bwd:F1} ms backward once each; one step runs some of them more than once (D twice or three times)"));
            }

            (long UsedBytes, long TotalBytes)? memoryAfter = GpuMemory.Query(backend);
            if (memoryBefore is { } mb && memoryAfter is { } ma)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"gpu memory: {mb.UsedBytes / Mebibyte:F0} MiB used (whole device) with the model built, {ma.UsedBytes / Mebibyte:F0} MiB after the timed steps; {ma.TotalBytes / Mebibyte:F0} MiB in all"));
            }

            if (o.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(new
                {
                    arch = o.Arch,
                    batch_size = batch,
                    threads = threadCount,
                    device = backend.Name,
                    device_name = (backend as GpuBackend)?.DeviceName,
                    instruction_set = (backend as CpuBackend)?.InstructionSet,
                    vector_bits = (backend as CpuBackend)?.VectorBits,
                    steps = o.Steps,
                    img_per_s_median = Math.Round(result.ImagesPerSecondMedian, 2),
                    img_per_s_min = Math.Round(result.ImagesPerSecondMin, 2),
                    img_per_s_max = Math.Round(result.ImagesPerSecondMax, 2),
                    step_ms_median = Math.Round(result.StepMedianSeconds * 1e3, 3),
                    epoch_s = Math.Round(result.EpochSeconds, 2),
                    alloc_bytes_per_step = result.AllocatedBytesPerStep,
                    gpu_memory_used_mib_before = memoryBefore is { } b ? Math.Round(b.UsedBytes / Mebibyte, 1) : (double?)null,
                    gpu_memory_used_mib_after = memoryAfter is { } a ? Math.Round(a.UsedBytes / Mebibyte, 1) : (double?)null,
                    gpu_memory_total_mib = memoryAfter is { } t ? Math.Round(t.TotalBytes / Mebibyte, 1) : (double?)null,
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
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or CudaUnavailableException)
        {
            ErrorOutput.Failure(e, "bench");
            return TrainRunner.ExitBadInput;
        }
    }

    /// <summary>Runs warm-up and timed steps on one random real batch and fresh N(0, 1) noise per step.</summary>
    public static BenchResult TimeSteps(GanModel model, IBackend backend, int batch, BenchOptions o)
    {
        var random = new RandomSource(o.Seed ^ 0x5EED);
        using Tensor real = backend.Allocate(new TensorShape(batch, model.Geometry.Channels, model.Geometry.Height, model.Geometry.Width));
        var images = new float[real.Length];
        for (int i = 0; i < images.Length; i++)
        {
            images[i] = (float)random.Uniform(-1, 1);
        }

        real.CopyFrom(images);
        using Tensor noise = backend.Allocate(model.NoiseShape(batch));
        var z = new float[noise.Length];
        for (int i = 0; i < o.Warmup; i++)
        {
            random.FillNormal(z);
            noise.CopyFrom(z);
            model.Step.Step(real, noise);
        }

        backend.Synchronize();
        var seconds = new double[o.Steps];
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < o.Steps; i++)
        {
            random.FillNormal(z);
            long start = Stopwatch.GetTimestamp();
            noise.CopyFrom(z);
            model.Step.Step(real, noise);
            backend.Synchronize();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Array.Sort(seconds);
        double median = Median(seconds);
        return new BenchResult(median, seconds[0], seconds[^1], batch / median, batch / seconds[^1], batch / seconds[0],
            EpochImages / (batch / median), allocated / Math.Max(1, o.Steps));
    }

    /// <summary>
    /// Times each Conv2d, ConvTranspose2d and Linear layer of <paramref name="network"/> alone: inputs of the shapes a
    /// forward pass of <paramref name="inputShape"/> gives them, random values, median of the runs.
    /// </summary>
    public static IEnumerable<LayerTiming> TimeLayers(Module network, string prefix, TensorShape inputShape, IBackend backend, BenchOptions o)
    {
        var random = new RandomSource(o.Seed ^ 0x1A7E);
        var shapes = new Dictionary<Module, TensorShape>();
        using (Tensor x = RandomTensor(backend, inputShape, random))
        {
            Tensor h = x;
            foreach (Module m in ((Dcgan.Models.Network)network).Main.Children().Select(c => c.Module))
            {
                shapes[m] = h.Shape;
                h = m.Forward(h);
            }
        }

        foreach ((string name, Module m) in network.NamedModules())
        {
            if (m is not (Conv2d or ConvTranspose2d or Linear) || !shapes.TryGetValue(m, out TensorShape shape))
            {
                continue;
            }

            long multiplyAdds = m switch
            {
                Conv2d c => c.GeometryFor(shape).MultiplyAdds,
                ConvTranspose2d t => t.GeometryFor(shape).MultiplyAdds,
                Linear l => (long)shape[0] * l.InFeatures * l.OutFeatures,
                _ => 0,
            };
            using Tensor input = RandomTensor(backend, shape, random);
            Tensor y = m.Forward(input);
            using Tensor gradOutput = RandomTensor(backend, y.Shape, random);
            m.Backward(gradOutput);
            // The untimed pass above is only queued on a GPU: wait for it, or the first timed run would include it.
            backend.Synchronize();
            var forward = new double[o.LayerRuns];
            var backward = new double[o.LayerRuns];
            for (int r = 0; r < o.LayerRuns; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                m.Forward(input);
                backend.Synchronize();
                long t1 = Stopwatch.GetTimestamp();
                m.Backward(gradOutput);
                backend.Synchronize();
                long t2 = Stopwatch.GetTimestamp();
                forward[r] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                backward[r] = Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
            }

            Array.Sort(forward);
            Array.Sort(backward);
            double f = Median(forward), b = Median(backward), flops = 2.0 * multiplyAdds;
            yield return new LayerTiming($"{prefix}.{name} {m}", f * 1e3, b * 1e3, flops / f / 1e9, 2 * flops / b / 1e9, 3 * flops / (f + b) / 1e9,
                forward[0] * 1e3, backward[0] * 1e3);
        }
    }

    private static Tensor RandomTensor(IBackend backend, TensorShape shape, RandomSource random)
    {
        Tensor t = backend.Allocate(shape);
        var values = new float[t.Length];
        random.FillNormal(values);
        t.CopyFrom(values);
        return t;
    }

    private static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]);

    private static string Truncate(string s, int length) => s.Length <= length ? s : s[..(length - 1)] + "…";

    private static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}

/// <summary>What `dcgan bench` runs.</summary>
public sealed record BenchOptions(string Arch, int? BatchSize, int Steps, int Warmup, int Threads, string Device, int LayerRuns, ulong Seed, bool Json)
{
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        if (!Architectures.All.Contains(Arch))
        {
            throw new ArgumentException($"--arch is '{Arch}'; expected one of: {string.Join(", ", Architectures.All)}.");
        }

        if (BatchSize is < 2)
        {
            throw new ArgumentException($"--batch-size is {BatchSize}; it must be >= 2 (BatchNorm needs two samples).");
        }

        if (Steps < 1)
        {
            throw new ArgumentException($"--steps is {Steps}; it must be >= 1.");
        }

        if (Warmup < 0 || Threads < 0 || LayerRuns < 0)
        {
            throw new ArgumentException($"--warmup ({Warmup}), --threads ({Threads}) and --layer-runs ({LayerRuns}) must be >= 0.");
        }
    }
}

/// <summary>Step timings of one bench run.</summary>
public sealed record BenchResult(double StepMedianSeconds, double StepMinSeconds, double StepMaxSeconds, double ImagesPerSecondMedian,
    double ImagesPerSecondMin, double ImagesPerSecondMax, double EpochSeconds, long AllocatedBytesPerStep);

/// <summary>
/// One layer's median forward and backward time and GFLOP/s (formula count; backward = 2 × forward FLOPs), and the
/// fastest runs (on a shared machine the minimum shows what the kernels do undisturbed).
/// </summary>
public sealed record LayerTiming(string Name, double ForwardMs, double BackwardMs, double ForwardGflops, double BackwardGflops, double Gflops,
    double ForwardMinMs, double BackwardMinMs);
