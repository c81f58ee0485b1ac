// Memory and lifetime of the ILGPU backend on the CPU accelerator: memory stays flat over many allocate/free
// cycles, disposal frees buffers then accelerator then context, empty tensors work, names are right.
namespace Dcgan.Tests.Gpu;

using System.Diagnostics;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;

[Collection(IlgpuCollection.Name)]
public sealed class GpuBackendLifecycleTests(IlgpuFixture fixture)
{
    [Fact]
    public void Memory_stays_flat_over_1000_allocate_free_cycles()
    {
        GpuBackend gpu = fixture.CpuAccelerator;
        int liveBefore = gpu.LiveBufferCount;
        const int floats = 256 * 1024; // 1 MiB per cycle: a leak would add about 1 GiB
        for (int i = 0; i < 20; i++)
        {
            gpu.Allocate(new TensorShape(floats)).Dispose();
        }

        long before = WorkingSet();
        for (int i = 0; i < 1000; i++)
        {
            using Tensor t = gpu.Allocate(new TensorShape(floats));
            Tensor view = t.Slice(floats - 10, new TensorShape(10));
            gpu.Fill(view, i);
            Assert.Equal(liveBefore + 1, gpu.LiveBufferCount);
        }

        gpu.Synchronize();
        long growth = WorkingSet() - before;
        TestContext.Current.TestOutputHelper?.WriteLine($"working set grew by {growth / (1024.0 * 1024):F1} MiB over 1000 cycles of 1 MiB");
        Assert.Equal(liveBefore, gpu.LiveBufferCount);
        Assert.True(growth < 256L * 1024 * 1024, $"Working set grew by {growth / (1024 * 1024)} MiB over 1000 allocate/free cycles of 1 MiB.");
    }

    [Fact]
    public void Modules_bound_and_disposed_repeatedly_leave_no_buffers()
    {
        GpuBackend gpu = fixture.CpuAccelerator;
        int liveBefore = gpu.LiveBufferCount;
        for (int i = 0; i < 30; i++)
        {
            using var d = new Sequential(new Conv2d(1, 2, 4, 2, 1), new BatchNorm2d(2), new LeakyReLU(0.2f));
            d.To(gpu, new RandomSource(1));
            using Tensor x = gpu.Allocate(new TensorShape(2, 1, 4, 4));
            Tensor y = d.Forward(x);
            d.Backward(y);
        }

        Assert.Equal(liveBefore, gpu.LiveBufferCount);
    }

    [Fact]
    public void Dispose_frees_buffers_then_accelerator_then_context()
    {
        GpuBackend gpu = GpuBackend.CreateCpuAccelerator();
        Assert.Equal("ilgpu-cpu", gpu.Name);
        Assert.Contains("ilgpu-cpu", gpu.ToString(), StringComparison.Ordinal);
        Tensor a = gpu.Allocate(new TensorShape(3, 4));
        Tensor b = gpu.Allocate(new TensorShape(5));
        gpu.Fill(a, 1f);
        Assert.Equal(2, gpu.LiveBufferCount);
        var accelerator = gpu.Accelerator;
        var context = accelerator.Context;

        gpu.Dispose();

        Assert.Equal(0, gpu.LiveBufferCount);
        Assert.True(accelerator.IsDisposed, "the accelerator was not disposed");
        Assert.True(context.IsDisposed, "the context was not disposed");
        Assert.Throws<ObjectDisposedException>(() => gpu.Allocate(new TensorShape(2)));
        Assert.Throws<ObjectDisposedException>(() => gpu.Fill(a, 2f));
        Assert.Throws<ObjectDisposedException>(() => a.ToArray());
        a.Dispose(); // a tensor outliving its backend disposes quietly
        b.Dispose();
        gpu.Dispose(); // twice is fine
    }

    [Fact]
    public void Empty_tensors_and_parameterless_modules_work()
    {
        GpuBackend gpu = fixture.CpuAccelerator;
        using Tensor empty = gpu.Allocate(new TensorShape(0, 3));
        using Tensor other = gpu.Allocate(new TensorShape(0));
        gpu.Fill(empty, 1f);
        gpu.Copy(empty, other);
        gpu.ActivationForward(new Dcgan.Backends.Activation(Dcgan.Backends.ActivationKind.Tanh), empty, empty);
        Assert.Empty(empty.ToArray());

        using var relu = new Sequential(new LeakyReLU(0.2f));
        relu.To(gpu);
        using Tensor x = gpu.Allocate(new TensorShape(2, 3));
        x.CopyFrom([-1f, 2f, -3f, 4f, -0f, 0f]);
        Assert.Equal([-0.2f, 2f, -0.6f, 4f, -0f, 0f], relu.Forward(x).ToArray());
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
