// Whole modules (Conv2d, ConvTranspose2d, BatchNorm2d, Linear, LeakyReLU, Sequential DCGAN stacks) forward and
// backward, twice, on CpuBackend and on the ILGPU backend from the same initialisation: outputs, input gradients,
// accumulated parameter gradients and BatchNorm running statistics must agree to 1e-5 relative.
namespace Dcgan.Tests.Gpu;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Gpu;
using Dcgan.Init;
using Dcgan.Modules;
using Dcgan.Tensors;
using static Dcgan.Tests.Gpu.GpuTestSupport;

public abstract class ModuleParityTests
{
    /// <summary>The backend under test (skips the test when it does not exist).</summary>
    protected abstract GpuBackend Gpu { get; }

    public static TheoryData<string> Cases => new()
    {
        "Conv2d k3 s1 p1", "Conv2d k4 s2 p1 no bias", "ConvTranspose2d latent k4 s1 p0", "ConvTranspose2d k4 s2 p1",
        "BatchNorm2d train", "BatchNorm2d eval", "Linear", "LeakyReLU", "Sequential generator", "Sequential discriminator",
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Module_forward_and_backward_match_cpu(string name)
    {
        GpuBackend gpu = Gpu;
        using var cpu = new CpuBackend(threads: 2);
        float[] expected = Run(name, cpu);
        float[] actual = Run(name, gpu);
        AssertClose($"{name}: outputs, input gradients, parameter gradients, buffers", expected, actual);
    }

    private static (Module Module, int[] Input, bool Train) Build(string name) => name switch
    {
        "Conv2d k3 s1 p1" => (new Conv2d(3, 4, 3, 1, 1), [2, 3, 6, 5], true),
        "Conv2d k4 s2 p1 no bias" => (new Conv2d(1, 4, 4, 2, 1, bias: false), [3, 1, 8, 8], true),
        "ConvTranspose2d latent k4 s1 p0" => (new ConvTranspose2d(5, 3, 4, 1, 0), [2, 5, 1, 1], true),
        "ConvTranspose2d k4 s2 p1" => (new ConvTranspose2d(4, 2, 4, 2, 1), [2, 4, 3, 3], true),
        "BatchNorm2d train" => (new BatchNorm2d(3), [4, 3, 3, 3], true),
        "BatchNorm2d eval" => (new BatchNorm2d(3), [4, 3, 3, 3], false),
        "Linear" => (new Linear(6, 4), [5, 6], true),
        "LeakyReLU" => (new LeakyReLU(0.2f), [2, 3, 4, 4], true),
        "Sequential generator" => (new Sequential(
            new ConvTranspose2d(8, 6, 3, 1, 0, bias: false), new BatchNorm2d(6), new ReLU(),        // (N, 6, 3, 3)
            new ConvTranspose2d(6, 4, 4, 2, 1, bias: false), new BatchNorm2d(4), new ReLU(),        // (N, 4, 6, 6)
            new ConvTranspose2d(4, 1, 4, 2, 1, bias: false), new Tanh()), [3, 8, 1, 1], true),      // (N, 1, 12, 12)
        "Sequential discriminator" => (new Sequential(
            new Conv2d(1, 4, 4, 2, 1, bias: false), new LeakyReLU(0.2f),                             // (N, 4, 6, 6)
            new Conv2d(4, 8, 4, 2, 1, bias: false), new BatchNorm2d(8), new LeakyReLU(0.2f),         // (N, 8, 3, 3)
            new Conv2d(8, 1, 3, 1, 0, bias: false)), [3, 1, 12, 12], true),                          // (N, 1, 1, 1)
        _ => throw new ArgumentException(name, nameof(name)),
    };

    /// <summary>Two forward/backward passes; returns everything observable, concatenated.</summary>
    private static float[] Run(string name, IBackend backend)
    {
        (Module module, int[] dims, bool train) = Build(name);
        using (module)
        {
            module.To(backend, new RandomSource(5));
            DcganInit.Apply(module, new RandomSource(6));
            module.Train(train);
            var results = new List<float>();
            var inputShape = new TensorShape(dims);
            for (int pass = 0; pass < 2; pass++)
            {
                using Tensor x = backend.Allocate(inputShape);
                x.CopyFrom(Normal(inputShape.ElementCount, 100 + (ulong)pass));
                Tensor y = module.Forward(x);
                using Tensor dy = backend.Allocate(y.Shape);
                dy.CopyFrom(Normal(y.Length, 200 + (ulong)pass));
                Tensor dx = module.Backward(dy);
                results.AddRange(y.ToArray());
                results.AddRange(dx.ToArray());
            }

            if (module.FlatGradients is { } grads)
            {
                results.AddRange(grads.ToArray());
            }

            foreach ((_, Tensor buffer) in module.NamedBuffers())
            {
                results.AddRange(buffer.ToArray());
            }

            return [.. results];
        }
    }
}

[Collection(IlgpuCollection.Name)]
public sealed class IlgpuCpuModuleParityTests(IlgpuFixture fixture) : ModuleParityTests
{
    protected override GpuBackend Gpu => fixture.CpuAccelerator;
}

[Collection(IlgpuCollection.Name)]
public sealed class CudaModuleParityTests(IlgpuFixture fixture) : ModuleParityTests
{
    protected override GpuBackend Gpu => fixture.RequireCuda();
}
