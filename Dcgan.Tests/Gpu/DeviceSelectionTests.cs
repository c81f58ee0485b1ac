// --device parsing, the CUDA probe (never throws) and the one clear error when CUDA is asked for but unusable.
namespace Dcgan.Tests.Gpu;

using Dcgan.Backends.Cpu;
using Dcgan.Gpu;

public sealed class DeviceSelectionTests
{
    [Theory]
    [InlineData("cpu", DeviceKind.Cpu, 0, "cpu")]
    [InlineData(" CPU ", DeviceKind.Cpu, 0, "cpu")]
    [InlineData("cuda", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("cuda:0", DeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("Cuda:12", DeviceKind.Cuda, 12, "cuda:12")]
    [InlineData("ilgpu-cpu", DeviceKind.IlgpuCpu, 0, "ilgpu-cpu")]
    public void Parse_accepts_the_documented_spellings(string text, DeviceKind kind, int index, string canonical)
    {
        DeviceSpec spec = DeviceSpec.Parse(text);
        Assert.Equal(new DeviceSpec(kind, index), spec);
        Assert.Equal(canonical, spec.ToString());
        Assert.Equal(spec, DeviceSpec.Parse(spec.ToString()));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("cuda:1:2")]
    [InlineData("cuda:99999999999")]
    [InlineData("ilgpu")]
    public void Parse_rejects_anything_else_naming_the_value(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("cuda:N", e.Message, StringComparison.Ordinal);
        Assert.False(DeviceSpec.TryParse(text, out _, out string? error));
        Assert.Equal(e.Message.Split(" (Parameter")[0], error);
    }

    [Fact]
    public void Cpu_spec_creates_the_cpu_backend()
    {
        using var backend = DeviceSpec.Parse("cpu").CreateBackend(cpuThreads: 1);
        Assert.IsType<CpuBackend>(backend);
    }

    [Fact]
    public void Probe_never_throws_and_explains_an_empty_list()
    {
        DeviceProbeResult result = DeviceProbe.Probe();
        string report = result.Describe();
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.Contains("ilgpu-cpu", report, StringComparison.Ordinal);
        if (result.Devices.Count == 0)
        {
            Assert.False(string.IsNullOrWhiteSpace(result.DriverProblem));
            Assert.False(result.HasUsableDevice);
            Assert.Contains(result.DriverProblem!, report, StringComparison.Ordinal);
        }

        foreach (CudaDeviceInfo device in result.Devices)
        {
            Assert.False(string.IsNullOrEmpty(device.Name));
            Assert.True(device.MemoryBytes > 0);
            Assert.Contains(device.ToString(), report, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cuda_without_a_usable_gpu_gives_one_message_with_reason_and_advice()
    {
        DeviceProbeResult probe = DeviceProbe.Probe(tryCreateAccelerators: false);
        if (probe.HasUsableDevice)
        {
            Assert.Skip("A CUDA device is present; this test needs a machine without one.");
        }

        var e = Assert.Throws<CudaUnavailableException>(() => DeviceSpec.Parse("cuda").CreateBackend());
        TestContext.Current.TestOutputHelper?.WriteLine(e.Message);
        Assert.Equal("cuda:0", e.RequestedDevice);
        Assert.StartsWith("--device cuda:0 cannot be used: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(e.Reason, e.Message, StringComparison.Ordinal);
        Assert.Contains("--device cpu", e.Message, StringComparison.Ordinal);
        Assert.Equal(probe.WhyNoneUsable, e.Reason);
    }

    [Fact]
    public void Cuda_index_beyond_the_devices_is_reported_not_thrown_as_a_crash()
    {
        var e = Assert.Throws<CudaUnavailableException>(() => GpuBackend.CreateCuda(4096));
        Assert.Equal("cuda:4096", e.RequestedDevice);
        Assert.Throws<ArgumentOutOfRangeException>(() => GpuBackend.CreateCuda(-1));
    }
}
