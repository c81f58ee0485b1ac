// The vector widths of the CPU backend: one small struct per width (512-bit AVX-512F, 256-bit AVX2+FMA, 128-bit
// ARM64 AdvSimd or x86 SSE, and scalar as the last resort) implementing one static interface, so every kernel is
// written once, generic over the width, and the JIT compiles one specialised copy per width (the shape
// TensorPrimitives uses inside). The width is chosen once at start-up (SimdWidths.Best) and can be lowered per backend.
namespace Dcgan.Backends.Cpu;

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

/// <summary>The vector width a <see cref="CpuBackend"/> computes with.</summary>
internal enum SimdWidth
{
    /// <summary>One float at a time (no hardware vectors).</summary>
    Scalar = 32,

    /// <summary>128-bit vectors: ARM64 AdvSimd (NEON) or x86 SSE.</summary>
    V128 = 128,

    /// <summary>256-bit vectors: x86 AVX2 with FMA.</summary>
    V256 = 256,

    /// <summary>512-bit vectors: x86 AVX-512F.</summary>
    V512 = 512,
}

/// <summary>Which widths this process can run, and the names users see.</summary>
internal static class SimdWidths
{
    /// <summary>
    /// The widest width the runtime accelerates here. The runtime's switches lower it: <c>DOTNET_EnableAVX512=0</c>
    /// gives 256-bit on an AVX-512 machine, <c>DOTNET_EnableAVX2=0</c> gives 128-bit, <c>DOTNET_EnableHWIntrinsic=0</c>
    /// gives scalar.
    /// </summary>
    public static SimdWidth Best { get; } = Detect();

    /// <summary>Every width this process can run, widest first (the kernels of a lower width run on any machine).</summary>
    public static IReadOnlyList<SimdWidth> Supported { get; } =
        new[] { SimdWidth.V512, SimdWidth.V256, SimdWidth.V128, SimdWidth.Scalar }.Where(w => w <= Best).ToArray();

    /// <summary>
    /// The instruction set a width uses on this machine: <c>AVX-512F</c>, <c>AVX2+FMA</c>, <c>AdvSimd</c> (ARM64 NEON),
    /// <c>SSE+FMA</c> or <c>SSE (no FMA)</c> (x86 at 128-bit; <c>DOTNET_EnableAVX2=0</c> also turns FMA off), or <c>scalar</c>.
    /// </summary>
    public static string InstructionSet(SimdWidth width) => width switch
    {
        SimdWidth.V512 => "AVX-512F",
        SimdWidth.V256 => Fma.IsSupported ? "AVX2+FMA" : "AVX2",
        SimdWidth.V128 when AdvSimd.IsSupported => "AdvSimd",
        SimdWidth.V128 => Fma.IsSupported ? "SSE+FMA" : "SSE (no FMA)",
        _ => "scalar",
    };

    /// <summary>Throws unless this process can run <paramref name="width"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The width is wider than <see cref="Best"/> or unknown.</exception>
    public static SimdWidth Check(SimdWidth width, string name)
    {
        if (!Enum.IsDefined(width) || width > Best)
        {
            throw new ArgumentOutOfRangeException(name, width, $"Expected a vector width this machine runs ({string.Join(", ", Supported)}).");
        }

        return width;
    }

    private static SimdWidth Detect()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            return SimdWidth.V512;
        }

        if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
        {
            return SimdWidth.V256;
        }

        return Vector128.IsHardwareAccelerated ? SimdWidth.V128 : SimdWidth.Scalar;
    }
}

/// <summary>
/// The operations the CPU kernels need at one vector width <typeparamref name="TV"/> (a Vector512/256/128 of float, or
/// float itself). Every operation is lane-wise and rounds as the scalar expression does, except
/// <see cref="MultiplyAdd"/> (fused where the hardware has FMA) and <see cref="Sum"/> (a tree over the lanes).
/// </summary>
/// <typeparam name="TV">The register type.</typeparam>
internal unsafe interface IWidth<TV>
    where TV : struct
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    /// <summary>Registers per row of the GEMM micro-kernel's tile (the tile is 6 rows × TileVectors·Count columns).</summary>
    static abstract int TileVectors { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TV Zero { get; }

    /// <summary>Loads <see cref="Count"/> floats.</summary>
    static abstract TV Load(float* p);

    /// <summary>Stores <see cref="Count"/> floats.</summary>
    static abstract void Store(TV v, float* p);

    /// <summary>Every lane <paramref name="x"/>.</summary>
    static abstract TV Broadcast(float x);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>a − b.</summary>
    static abstract TV Subtract(TV a, TV b);

    /// <summary>a · b.</summary>
    static abstract TV Multiply(TV a, TV b);

    /// <summary>a / b.</summary>
    static abstract TV Divide(TV a, TV b);

    /// <summary>a · b + c, fused (one rounding) where the hardware has FMA.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>√a.</summary>
    static abstract TV Sqrt(TV a);

    /// <summary>|a|.</summary>
    static abstract TV Abs(TV a);

    /// <summary>eᵃ (the runtime's vector exponential).</summary>
    static abstract TV Exp(TV a);

    /// <summary>All-ones lanes where a &lt; b.</summary>
    static abstract TV LessThan(TV a, TV b);

    /// <summary>All-ones lanes where a &gt; b.</summary>
    static abstract TV GreaterThan(TV a, TV b);

    /// <summary>mask ? a : b per lane.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>Bitwise and.</summary>
    static abstract TV And(TV a, TV b);

    /// <summary>Bitwise or.</summary>
    static abstract TV Or(TV a, TV b);

    /// <summary>The sum of the lanes (a fixed tree for a given width).</summary>
    static abstract float Sum(TV a);

    /// <summary>Transposes a Count×Count block: dst[j·ds + i] = src[i·ss + j] (strides in floats).</summary>
    static abstract void Transpose(float* src, nint ss, float* dst, nint ds);

    /// <summary>
    /// Dropout's mask for elements first … first + Count − 1: 0 where <see cref="DropoutHash.Uniform"/>(seed, index)
    /// &lt; p, else keep.
    /// </summary>
    static abstract TV DropoutMask(ulong seed, ulong first, TV p, TV keep);
}

/// <summary>512-bit registers (AVX-512F): 32 of them, so the GEMM tile is 6 × 64 (24 accumulators).</summary>
internal readonly unsafe struct W512 : IWidth<Vector512<float>>
{
    public static int Count => 16;

    public static int TileVectors => 4;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector512<float> v, float* p) => Vector512.Store(v, p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Abs(Vector512<float> a) => Vector512.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> a) => Vector512.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Or(Vector512<float> a, Vector512<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> a) => W256.Sum(a.GetLower() + a.GetUpper());

    /// <summary>16×16 with the usual three-stage unpack / shuffle / 128-bit-lane shuffle network.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Transpose(float* src, nint ss, float* dst, nint ds)
    {
        Vector512<float> r0 = Vector512.Load(src), r1 = Vector512.Load(src + ss), r2 = Vector512.Load(src + (2 * ss)), r3 = Vector512.Load(src + (3 * ss));
        Vector512<float> r4 = Vector512.Load(src + (4 * ss)), r5 = Vector512.Load(src + (5 * ss)), r6 = Vector512.Load(src + (6 * ss)), r7 = Vector512.Load(src + (7 * ss));
        Vector512<float> r8 = Vector512.Load(src + (8 * ss)), r9 = Vector512.Load(src + (9 * ss)), r10 = Vector512.Load(src + (10 * ss)), r11 = Vector512.Load(src + (11 * ss));
        Vector512<float> r12 = Vector512.Load(src + (12 * ss)), r13 = Vector512.Load(src + (13 * ss)), r14 = Vector512.Load(src + (14 * ss)), r15 = Vector512.Load(src + (15 * ss));
        Vector512<float> t0 = Avx512F.UnpackLow(r0, r1), t1 = Avx512F.UnpackHigh(r0, r1), t2 = Avx512F.UnpackLow(r2, r3), t3 = Avx512F.UnpackHigh(r2, r3);
        Vector512<float> t4 = Avx512F.UnpackLow(r4, r5), t5 = Avx512F.UnpackHigh(r4, r5), t6 = Avx512F.UnpackLow(r6, r7), t7 = Avx512F.UnpackHigh(r6, r7);
        Vector512<float> t8 = Avx512F.UnpackLow(r8, r9), t9 = Avx512F.UnpackHigh(r8, r9), t10 = Avx512F.UnpackLow(r10, r11), t11 = Avx512F.UnpackHigh(r10, r11);
        Vector512<float> t12 = Avx512F.UnpackLow(r12, r13), t13 = Avx512F.UnpackHigh(r12, r13), t14 = Avx512F.UnpackLow(r14, r15), t15 = Avx512F.UnpackHigh(r14, r15);
        Vector512<float> u0 = Avx512F.Shuffle(t0, t2, 0x44), u1 = Avx512F.Shuffle(t0, t2, 0xEE), u2 = Avx512F.Shuffle(t1, t3, 0x44), u3 = Avx512F.Shuffle(t1, t3, 0xEE);
        Vector512<float> u4 = Avx512F.Shuffle(t4, t6, 0x44), u5 = Avx512F.Shuffle(t4, t6, 0xEE), u6 = Avx512F.Shuffle(t5, t7, 0x44), u7 = Avx512F.Shuffle(t5, t7, 0xEE);
        Vector512<float> u8 = Avx512F.Shuffle(t8, t10, 0x44), u9 = Avx512F.Shuffle(t8, t10, 0xEE), u10 = Avx512F.Shuffle(t9, t11, 0x44), u11 = Avx512F.Shuffle(t9, t11, 0xEE);
        Vector512<float> u12 = Avx512F.Shuffle(t12, t14, 0x44), u13 = Avx512F.Shuffle(t12, t14, 0xEE), u14 = Avx512F.Shuffle(t13, t15, 0x44), u15 = Avx512F.Shuffle(t13, t15, 0xEE);
        Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88), v1 = Avx512F.Shuffle4x128(u1, u5, 0x88), v2 = Avx512F.Shuffle4x128(u2, u6, 0x88), v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
        Vector512<float> v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD), v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD), v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD), v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
        Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88), v9 = Avx512F.Shuffle4x128(u9, u13, 0x88), v10 = Avx512F.Shuffle4x128(u10, u14, 0x88), v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
        Vector512<float> v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD), v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD), v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD), v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
        Vector512.Store(Avx512F.Shuffle4x128(v0, v8, 0x88), dst);
        Vector512.Store(Avx512F.Shuffle4x128(v1, v9, 0x88), dst + ds);
        Vector512.Store(Avx512F.Shuffle4x128(v2, v10, 0x88), dst + (2 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v3, v11, 0x88), dst + (3 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v4, v12, 0x88), dst + (4 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v5, v13, 0x88), dst + (5 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v6, v14, 0x88), dst + (6 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v7, v15, 0x88), dst + (7 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v0, v8, 0xDD), dst + (8 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v1, v9, 0xDD), dst + (9 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v2, v10, 0xDD), dst + (10 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v3, v11, 0xDD), dst + (11 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v4, v12, 0xDD), dst + (12 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v5, v13, 0xDD), dst + (13 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v6, v14, 0xDD), dst + (14 * ds));
        Vector512.Store(Avx512F.Shuffle4x128(v7, v15, 0xDD), dst + (15 * ds));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> DropoutMask(ulong seed, ulong first, Vector512<float> p, Vector512<float> keep)
    {
        Vector512<ulong> index = Vector512<ulong>.Indices + Vector512.Create(first + 1);
        Vector512<uint> bits = Vector512.Narrow(Hash(seed, index), Hash(seed, index + Vector512.Create(8UL)));
        Vector512<float> u = Vector512.ConvertToSingle(bits) * Vector512.Create(1.0f / 16777216.0f);
        return Vector512.ConditionalSelect(Vector512.LessThan(u, p), Vector512<float>.Zero, keep);
    }

    // DropoutHash.Uniform's integer part: the 24 high bits of SplitMix64's finaliser of seed + (index + 1)·golden.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Hash(ulong seed, Vector512<ulong> indexPlusOne)
    {
        Vector512<ulong> z = Vector512.Create(seed) + (indexPlusOne * Vector512.Create(0x9E3779B97F4A7C15UL));
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
        z ^= Vector512.ShiftRightLogical(z, 31);
        return Vector512.ShiftRightLogical(z, 40);
    }
}

/// <summary>256-bit registers (AVX2 + FMA): 16 of them, so the GEMM tile is 6 × 16 (12 accumulators, 2 B registers).</summary>
internal readonly unsafe struct W256 : IWidth<Vector256<float>>
{
    public static int Count => 8;

    public static int TileVectors => 2;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<float> v, float* p) => Vector256.Store(v, p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Abs(Vector256<float> a) => Vector256.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> a) => Vector256.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Or(Vector256<float> a, Vector256<float> b) => a | b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> a) => W128.Sum(a.GetLower() + a.GetUpper());

    /// <summary>8×8 with unpack / shuffle / 128-bit-lane permutes (AVX).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Transpose(float* src, nint ss, float* dst, nint ds)
    {
        Vector256<float> r0 = Vector256.Load(src), r1 = Vector256.Load(src + ss), r2 = Vector256.Load(src + (2 * ss)), r3 = Vector256.Load(src + (3 * ss));
        Vector256<float> r4 = Vector256.Load(src + (4 * ss)), r5 = Vector256.Load(src + (5 * ss)), r6 = Vector256.Load(src + (6 * ss)), r7 = Vector256.Load(src + (7 * ss));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x20), dst);
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x20), dst + ds);
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x20), dst + (2 * ds));
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x20), dst + (3 * ds));
        Vector256.Store(Avx.Permute2x128(u0, u4, 0x31), dst + (4 * ds));
        Vector256.Store(Avx.Permute2x128(u1, u5, 0x31), dst + (5 * ds));
        Vector256.Store(Avx.Permute2x128(u2, u6, 0x31), dst + (6 * ds));
        Vector256.Store(Avx.Permute2x128(u3, u7, 0x31), dst + (7 * ds));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> DropoutMask(ulong seed, ulong first, Vector256<float> p, Vector256<float> keep)
    {
        Vector256<ulong> index = Vector256<ulong>.Indices + Vector256.Create(first + 1);
        Vector256<uint> bits = Vector256.Narrow(Hash(seed, index), Hash(seed, index + Vector256.Create(4UL)));
        Vector256<float> u = Vector256.ConvertToSingle(bits.AsInt32()) * Vector256.Create(1.0f / 16777216.0f);
        return Vector256.ConditionalSelect(Vector256.LessThan(u, p), Vector256<float>.Zero, keep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Hash(ulong seed, Vector256<ulong> indexPlusOne)
    {
        Vector256<ulong> z = Vector256.Create(seed) + (indexPlusOne * Vector256.Create(0x9E3779B97F4A7C15UL));
        z = (z ^ Vector256.ShiftRightLogical(z, 30)) * Vector256.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector256.ShiftRightLogical(z, 27)) * Vector256.Create(0x94D049BB133111EBUL);
        z ^= Vector256.ShiftRightLogical(z, 31);
        return Vector256.ShiftRightLogical(z, 40);
    }
}

/// <summary>
/// 128-bit registers: ARM64 AdvSimd (32 registers: a 6 × 16 GEMM tile, 24 accumulators) or x86 SSE
/// (16 registers: a 6 × 8 tile).
/// </summary>
internal readonly unsafe struct W128 : IWidth<Vector128<float>>
{
    public static int Count => 4;

    public static int TileVectors => AdvSimd.Arm64.IsSupported ? 4 : 2;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector128<float> Load(float* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector128<float> v, float* p) => Vector128.Store(v, p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float x) => Vector128.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Abs(Vector128<float> a) => Vector128.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Exp(Vector128<float> a) => Vector128.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Or(Vector128<float> a, Vector128<float> b) => a | b;

    /// <summary>(l0 + l2) + (l1 + l3), the same tree on every platform.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> a) => (a.GetElement(0) + a.GetElement(2)) + (a.GetElement(1) + a.GetElement(3));

    /// <summary>4×4 with two rounds of interleaves (zip1/zip2 on ARM64, unpcklps/unpckhps on x86).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Transpose(float* src, nint ss, float* dst, nint ds)
    {
        if (!AdvSimd.Arm64.IsSupported && !Sse.IsSupported)
        {
            W1.Transpose4(src, ss, dst, ds);
            return;
        }

        Vector128<float> r0 = Vector128.Load(src), r1 = Vector128.Load(src + ss), r2 = Vector128.Load(src + (2 * ss)), r3 = Vector128.Load(src + (3 * ss));
        Vector128<float> t0 = ZipLow(r0, r2), t1 = ZipHigh(r0, r2), t2 = ZipLow(r1, r3), t3 = ZipHigh(r1, r3);
        Vector128.Store(ZipLow(t0, t2), dst);
        Vector128.Store(ZipHigh(t0, t2), dst + ds);
        Vector128.Store(ZipLow(t1, t3), dst + (2 * ds));
        Vector128.Store(ZipHigh(t1, t3), dst + (3 * ds));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> DropoutMask(ulong seed, ulong first, Vector128<float> p, Vector128<float> keep)
    {
        Vector128<ulong> index = Vector128<ulong>.Indices + Vector128.Create(first + 1);
        Vector128<uint> bits = Vector128.Narrow(Hash(seed, index), Hash(seed, index + Vector128.Create(2UL)));
        Vector128<float> u = Vector128.ConvertToSingle(bits.AsInt32()) * Vector128.Create(1.0f / 16777216.0f);
        return Vector128.ConditionalSelect(Vector128.LessThan(u, p), Vector128<float>.Zero, keep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Hash(ulong seed, Vector128<ulong> indexPlusOne)
    {
        Vector128<ulong> z = Vector128.Create(seed) + (indexPlusOne * Vector128.Create(0x9E3779B97F4A7C15UL));
        z = (z ^ Vector128.ShiftRightLogical(z, 30)) * Vector128.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector128.ShiftRightLogical(z, 27)) * Vector128.Create(0x94D049BB133111EBUL);
        z ^= Vector128.ShiftRightLogical(z, 31);
        return Vector128.ShiftRightLogical(z, 40);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ZipLow(Vector128<float> a, Vector128<float> b) =>
        AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.ZipLow(a, b) : Sse.UnpackLow(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ZipHigh(Vector128<float> a, Vector128<float> b) =>
        AdvSimd.Arm64.IsSupported ? AdvSimd.Arm64.ZipHigh(a, b) : Sse.UnpackHigh(a, b);
}

/// <summary>Scalar "registers" (one float): the last resort where the runtime accelerates no vectors; a 6 × 4 tile.</summary>
internal readonly unsafe struct W1 : IWidth<float>
{
    private static readonly float AllOnes = BitConverter.Int32BitsToSingle(-1);

    public static int Count => 1;

    public static int TileVectors => 4;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(float v, float* p) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float x) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sqrt(float a) => MathF.Sqrt(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Abs(float a) => MathF.Abs(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float a) => MathF.Exp(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LessThan(float a, float b) => a < b ? AllOnes : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float GreaterThan(float a, float b) => a > b ? AllOnes : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Select(float mask, float a, float b) => BitConverter.SingleToInt32Bits(mask) != 0 ? a : b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float And(float a, float b) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) & BitConverter.SingleToInt32Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Or(float a, float b) => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(a) | BitConverter.SingleToInt32Bits(b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float a) => a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Transpose(float* src, nint ss, float* dst, nint ds) => *dst = *src;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DropoutMask(ulong seed, ulong first, float p, float keep) => DropoutHash.Uniform(seed, first) < p ? 0f : keep;

    /// <summary>A 4×4 transpose one element at a time.</summary>
    public static unsafe void Transpose4(float* src, nint ss, float* dst, nint ds)
    {
        for (int i = 0; i < 4; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                dst[(j * ds) + i] = src[(i * ss) + j];
            }
        }
    }
}
