// Finite-difference gradient check in float64: central differences of L = Σ output·R for a fixed random R,
// compared with a module's hand-written Backward for the input and every parameter (CS231n-style gradcheck).
namespace Dcgan.Tests.GradCheck;

using System.Globalization;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Losses;
using Dcgan.Modules;
using Dcgan.Tensors;
using Dcgan.Tests.Support;

public static class FiniteDifference
{
    /// <summary>Step of the central difference: with values of order 1 in float64, truncation (∝ h²) and rounding (∝ ε/h) both stay near 1e-10.</summary>
    public const double Step = 1e-5;

    /// <summary>Relative tolerance of the comparison.</summary>
    public const double RelativeTolerance = 1e-6;

    /// <summary>Absolute floor, for gradients that are (nearly) zero.</summary>
    public const double AbsoluteTolerance = 1e-8;

    /// <summary>A float64 tensor of <paramref name="shape"/> on <paramref name="backend"/> filled by <paramref name="draw"/>.</summary>
    public static Tensor Random(Float64Backend backend, TensorShape shape, Func<double> draw)
    {
        Tensor t = backend.Allocate(shape);
        Fill(backend, t, draw);
        return t;
    }

    /// <summary>Overwrites every double of <paramref name="t"/> with draws.</summary>
    public static void Fill(Float64Backend backend, Tensor t, Func<double> draw)
    {
        Span<double> s = backend.GetSpan(t);
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = draw();
        }
    }

    /// <summary>A draw in ±[gap, gap + 1): never closer than <paramref name="gap"/> to the kink of ReLU-like functions.</summary>
    public static double AwayFromZero(RandomSource random, double gap = 0.05)
    {
        double magnitude = gap + random.NextDouble();
        return random.NextDouble() < 0.5 ? -magnitude : magnitude;
    }

    /// <summary>
    /// Checks dL/dinput and dL/dparameter of <paramref name="module"/> (already bound to the input's Float64Backend)
    /// at <paramref name="input"/>. <paramref name="beforeForward"/> runs before every forward pass (to reset a
    /// dropout stream, for example). Parameters named in <paramref name="zeroGradient"/> have a gradient that is
    /// zero in exact arithmetic (a bias followed by a training-mode BatchNorm); every other gradient must be
    /// non-trivial. Returns the worst relative error seen.
    /// </summary>
    public static double CheckModule(string what, Module module, Tensor input, RandomSource random, Action? beforeForward = null, IReadOnlyCollection<string>? zeroGradient = null)
    {
        var backend = (Float64Backend)input.Backend;

        // Analytic gradients: one forward, one backward with dL/dy = R.
        beforeForward?.Invoke();
        Tensor y = module.Forward(input);
        using Tensor r = Random(backend, y.Shape, () => random.Normal());
        module.ZeroGrad();
        double[] analyticInput = backend.GetSpan(module.Backward(r)).ToArray();
        var parameters = module.NamedParameters().ToList();
        var analyticParameters = parameters.Select(p => backend.GetSpan(p.Parameter.Grad).ToArray()).ToList();

        double Loss()
        {
            beforeForward?.Invoke();
            Span<double> output = backend.GetSpan(module.Forward(input));
            Span<double> weights = backend.GetSpan(r);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += output[i] * weights[i];
            }

            return sum;
        }

        double worst = CompareWithNumeric($"{what}: dL/dinput {input.Shape}", backend, input, analyticInput, Loss, expectZero: false);
        for (int k = 0; k < parameters.Count; k++)
        {
            (string name, Parameter p) = parameters[k];
            bool zero = zeroGradient?.Contains(name) ?? false;
            worst = Math.Max(worst, CompareWithNumeric($"{what}: dL/d{name} {p.Shape}", backend, p.Data, analyticParameters[k], Loss, zero));
        }

        return worst;
    }

    /// <summary>Checks dloss/dlogits of <see cref="BCEWithLogitsLoss"/> (mean reduction) at <paramref name="logits"/>.</summary>
    public static double CheckBceWithLogits(string what, Tensor logits, Tensor target)
    {
        var backend = (Float64Backend)logits.Backend;
        using var loss = new BCEWithLogitsLoss();
        loss.Forward(logits, target);
        double[] analytic = backend.GetSpan(loss.Backward()).ToArray();
        return CompareWithNumeric($"{what}: dloss/dlogits {logits.Shape}", backend, logits, analytic, () => backend.GetSpan(loss.Forward(logits, target))[0], expectZero: false);
    }

    /// <summary>CrossEntropyLoss's analytic gradient with respect to the logits <c>[N, C]</c> against central differences.</summary>
    public static double CheckCrossEntropy(string what, Tensor logits, int[] target)
    {
        var backend = (Float64Backend)logits.Backend;
        using var loss = new CrossEntropyLoss();
        loss.Forward(logits, target);
        double[] analytic = backend.GetSpan(loss.Backward()).ToArray();
        return CompareWithNumeric($"{what}: dloss/dlogits {logits.Shape}", backend, logits, analytic, () => backend.GetSpan(loss.Forward(logits, target))[0], expectZero: false);
    }

    /// <summary>Central differences of <paramref name="loss"/> over every double of <paramref name="variable"/>, compared with <paramref name="analytic"/>.</summary>
    private static double CompareWithNumeric(string what, Float64Backend backend, Tensor variable, double[] analytic, Func<double> loss, bool expectZero)
    {
        var numeric = new double[analytic.Length];
        for (int i = 0; i < numeric.Length; i++)
        {
            Span<double> v = backend.GetSpan(variable);
            double saved = v[i];
            v[i] = saved + Step;
            double plus = loss();
            backend.GetSpan(variable)[i] = saved - Step;
            double minus = loss();
            backend.GetSpan(variable)[i] = saved;
            numeric[i] = (plus - minus) / (2 * Step);
        }

        // A gradient that is zero everywhere would pass against a forward pass that ignores the variable.
        double largest = numeric.Length == 0 ? 0 : numeric.Max(Math.Abs);
        if (expectZero)
        {
            Assert.True(largest < 1e-6, $"{what}: expected a zero gradient, but the numeric one reaches {largest:E3}.");
        }
        else
        {
            Assert.True(largest > 1e-3, $"{what}: the numeric gradient is (nearly) zero everywhere (max |g| = {largest:E3}); the check would prove nothing.");
        }

        double worst = Compare.Close(what, numeric, analytic, RelativeTolerance, AbsoluteTolerance);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what}: {numeric.Length} values, worst relative error {worst:E3}"));
        return worst;
    }
}
