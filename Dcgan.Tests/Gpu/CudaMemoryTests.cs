// Device memory on cuda:0 (skipped without a GPU) stays flat: over hundreds of whole training steps of each preset,
// and over many allocate/free cycles. Measured with the CUDA driver (whole device) and the backend's live buffers.
namespace Dcgan.Tests.Gpu;

using System.Globalization;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Samples.Commands;
using Dcgan.Samples.Training;
using Dcgan.Tensors;

[Collection(IlgpuCollection.Name)]
public sealed class CudaMemoryTests(IlgpuFixture fixture, ITestOutputHelper output)
{
    private const double Mebibyte = 1024.0 * 1024;

    /// <summary>
    /// Allowed growth of the device's used memory: the driver hands out memory in pages of up to 2 MiB and may keep
    /// a few for itself; a leak of one batch's activations per step would add gigabytes over the steps run here.
    /// </summary>
    private const long SlackBytes = 32L * 1024 * 1024;

    [Theory]
    [InlineData(Architectures.Dcgan, 300)]
    [InlineData(Architectures.TfTutorial, 200)]
    public void Device_memory_stays_flat_over_many_training_steps(string arch, int steps)
    {
        GpuBackend gpu = fixture.RequireCuda();
        TrainOptions options = new TrainOptions { Arch = arch, Device = "cuda" }.Resolve();
        int batch = options.ResolvedBatchSize;
        int liveBefore = gpu.LiveBufferCount;
        using (GanModel model = Presets.Build(options, gpu, new RandomSource(1)))
        {
            using Tensor real = gpu.Allocate(new TensorShape(batch, 1, 28, 28));
            using Tensor noise = gpu.Allocate(model.NoiseShape(batch));
            var random = new RandomSource(2);
            var images = new float[real.Length];
            random.FillUniform(images, -1, 1);
            real.CopyFrom(images);
            var z = new float[noise.Length];
            void Step()
            {
                random.FillNormal(z);
                noise.CopyFrom(z);
                model.Step.Step(real, noise);
            }

            for (int i = 0; i < 5; i++)
            {
                Step();
            }

            (long used, long total) = Used(gpu);
            int liveWarm = gpu.LiveBufferCount;
            for (int i = 0; i < steps; i++)
            {
                Step();
            }

            (long usedAfter, _) = Used(gpu);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cuda memory ({arch}, batch {batch}): {used / Mebibyte:F1} MiB used after 5 warm-up steps, {usedAfter / Mebibyte:F1} MiB after {steps} more ({total / Mebibyte:F0} MiB in all); live buffers {liveWarm} -> {gpu.LiveBufferCount}"));
            Assert.Equal(liveWarm, gpu.LiveBufferCount);
            Assert.True(usedAfter - used <= SlackBytes, $"{arch}: device memory grew by {(usedAfter - used) / Mebibyte:F1} MiB over {steps} training steps.");
        }

        Assert.Equal(liveBefore, gpu.LiveBufferCount);
    }

    [Fact]
    public void Device_memory_stays_flat_over_1000_allocate_free_cycles()
    {
        GpuBackend gpu = fixture.RequireCuda();
        const int floats = 4 * 1024 * 1024; // 16 MiB per cycle: a leak would add about 16 GiB
        gpu.Allocate(new TensorShape(floats)).Dispose();
        int liveBefore = gpu.LiveBufferCount;
        (long used, _) = Used(gpu);
        for (int i = 0; i < 1000; i++)
        {
            using Tensor t = gpu.Allocate(new TensorShape(floats));
            gpu.Fill(t.Slice(floats - 10, new TensorShape(10)), i);
        }

        (long usedAfter, _) = Used(gpu);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cuda memory (1000 allocate/free cycles of 16 MiB): {used / Mebibyte:F1} MiB used before, {usedAfter / Mebibyte:F1} MiB after"));
        Assert.Equal(liveBefore, gpu.LiveBufferCount);
        Assert.True(usedAfter - used <= SlackBytes, $"Device memory grew by {(usedAfter - used) / Mebibyte:F1} MiB over 1000 allocate/free cycles of 16 MiB.");
    }

    private static (long Used, long Total) Used(GpuBackend gpu) =>
        GpuMemory.Query(gpu) ?? throw new InvalidOperationException("The CUDA driver did not report the device's memory (cuMemGetInfo failed).");
}
