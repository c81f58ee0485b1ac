// Which vector instruction sets the runtime offers on this machine, as one line of test output (the ARM64 check,
// .ci/arm64-check.sh, prints it); on ARM64 it also checks that AdvSimd is on, since without it the CPU kernels'
// 128-bit path would quietly fall back to scalar code.
namespace Dcgan.Tests.Backends;

using System.Collections;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

public sealed class RuntimeIntrinsicsTests
{
    private readonly ITestOutputHelper _output;

    public RuntimeIntrinsicsTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Reports_the_vector_instruction_sets_and_on_arm64_has_AdvSimd()
    {
        string line = $"runtime: {RuntimeInformation.ProcessArchitecture}, "
            + $"AdvSimd.IsSupported={AdvSimd.IsSupported}, AdvSimd.Arm64.IsSupported={AdvSimd.Arm64.IsSupported}, "
            + $"Avx2.IsSupported={Avx2.IsSupported}, Avx512F.IsSupported={Avx512F.IsSupported}, "
            + $"Vector128.IsHardwareAccelerated={Vector128.IsHardwareAccelerated}, "
            + $"Vector256.IsHardwareAccelerated={Vector256.IsHardwareAccelerated}, "
            + $"Vector512.IsHardwareAccelerated={Vector512.IsHardwareAccelerated}, Vector<float>.Count={Vector<float>.Count}";
        _output.WriteLine(line);

        // A runtime switch such as DOTNET_EnableHWIntrinsic=0 turns the instruction sets off on purpose.
        bool switchedOff = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>().Any(e =>
            e.Key is string name && (name.StartsWith("DOTNET_Enable", StringComparison.Ordinal) || name.StartsWith("COMPlus_Enable", StringComparison.Ordinal))
            && e.Value is "0");
        if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64 && !switchedOff)
        {
            Assert.True(AdvSimd.Arm64.IsSupported, line);
            Assert.True(Vector128.IsHardwareAccelerated, line);
        }
    }
}
