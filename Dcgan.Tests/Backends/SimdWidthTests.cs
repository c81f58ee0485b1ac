// Which vector width the CPU backend runs, under each of the runtime's switches: CI runs the kernel tests once per
// width the machine offers (.ci/width-matrix.sh) and sets DCGAN_EXPECTED_WIDTH, so a switch that silently stopped
// working would fail here instead of testing the same path three times.
namespace Dcgan.Tests.Backends;

using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Dcgan.Backends.Cpu;

public sealed class SimdWidthTests
{
    private readonly ITestOutputHelper _output;

    public SimdWidthTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Best_width_is_the_one_the_environment_asks_for()
    {
        using var cpu = new CpuBackend(1);
        _output.WriteLine($"{cpu.Description}; DOTNET_EnableAVX512={Env("DOTNET_EnableAVX512")}, DOTNET_EnableAVX2={Env("DOTNET_EnableAVX2")}, DOTNET_EnableHWIntrinsic={Env("DOTNET_EnableHWIntrinsic")}, DCGAN_EXPECTED_WIDTH={Env("DCGAN_EXPECTED_WIDTH")}");
        Assert.Equal(SimdWidths.Best, cpu.Width);
        Assert.Equal((int)SimdWidths.Best, cpu.VectorBits);

        string? expected = Environment.GetEnvironmentVariable("DCGAN_EXPECTED_WIDTH");
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.Equal(int.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cpu.VectorBits);
        }

        // Whatever the machine, a switch that is off caps the width.
        if (Env("DOTNET_EnableHWIntrinsic") == "0")
        {
            Assert.Equal(SimdWidth.Scalar, cpu.Width);
        }
        else if (Env("DOTNET_EnableAVX2") == "0")
        {
            Assert.True(cpu.Width <= SimdWidth.V128, $"DOTNET_EnableAVX2=0 but {cpu.Description}");
        }
        else if (Env("DOTNET_EnableAVX512") == "0")
        {
            Assert.True(cpu.Width <= SimdWidth.V256, $"DOTNET_EnableAVX512=0 but {cpu.Description}");
        }
    }

    [Fact]
    public void Width_matches_the_instruction_set_it_names()
    {
        using var cpu = new CpuBackend(1);
        string expected = cpu.Width switch
        {
            SimdWidth.V512 => "AVX-512F",
            SimdWidth.V256 => "AVX2",
            SimdWidth.V128 => AdvSimd.IsSupported ? "AdvSimd" : "SSE",
            _ => "scalar",
        };
        Assert.StartsWith(expected, cpu.InstructionSet, StringComparison.Ordinal);
        Assert.True(cpu.Width != SimdWidth.V512 || Avx512F.IsSupported, "512-bit without AVX-512F");
        Assert.True(cpu.Width != SimdWidth.V256 || (Avx2.IsSupported && Fma.IsSupported), "256-bit without AVX2 and FMA");
        Assert.Contains($"{cpu.Threads} thread", cpu.Description, StringComparison.Ordinal);
        Assert.Equal(cpu.Width == SimdWidth.Scalar ? 0 : 1, System.Text.RegularExpressions.Regex.Matches(cpu.Description, "-bit").Count);
        if (AdvSimd.Arm64.IsSupported)
        {
            Assert.Equal(SimdWidth.V128, cpu.Width);
        }
    }

    [Fact]
    public void Every_width_up_to_the_best_can_be_forced_and_wider_ones_are_refused()
    {
        foreach (SimdWidth width in SimdWidths.Supported)
        {
            using var backend = new CpuBackend(1, width);
            Assert.Equal(width, backend.Width);
        }

        Assert.Contains(SimdWidth.Scalar, SimdWidths.Supported);
        if (SimdWidths.Best < SimdWidth.V512)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CpuBackend(1, SimdWidth.V512));
            Assert.Contains("V512", error.Message, StringComparison.Ordinal);
        }
    }

    private static string Env(string name) => Environment.GetEnvironmentVariable(name) ?? "(unset)";
}
