// Shared set-up of the kernel benchmarks: the reference backend (HostBackend's plain loops, the Baseline) and the
// fast CpuBackend on the same random tensors, and the check that both agree before anything is timed.
namespace Dcgan.Benchmarks;

using Dcgan.Backends;
using Dcgan.Backends.Cpu;
using Dcgan.Init;
using Dcgan.Tensors;

/// <summary>Both backends, each with its own copy of the benchmark's tensors.</summary>
public abstract class BackendPair : IDisposable
{
    /// <summary>Threads of both backends (the machine the targets are set for has 2 cores).</summary>
    public const int Threads = 2;

    private readonly List<Tensor> _tensors = [];

    internal ReferenceBackend Reference { get; private set; } = null!;

    internal CpuBackend Fast { get; private set; } = null!;

    /// <summary>Frees both backends.</summary>
    public void Dispose()
    {
        foreach (Tensor t in _tensors)
        {
            t.Dispose();
        }

        _tensors.Clear();
        Reference?.Dispose();
        Fast?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Creates both backends.</summary>
    protected void CreateBackends()
    {
        Reference = new ReferenceBackend(Threads);
        Fast = new CpuBackend(Threads);
    }

    /// <summary>The same random values (uniform in [−scale, scale]) on both backends.</summary>
    protected (Tensor Reference, Tensor Fast) Pair(TensorShape shape, ulong seed, double scale = 1.0)
    {
        var values = new float[shape.ElementCount];
        var random = new RandomSource(seed);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)random.Uniform(-scale, scale);
        }

        Tensor r = Reference.Allocate(shape), f = Fast.Allocate(shape);
        r.CopyFrom(values);
        f.CopyFrom(values);
        _tensors.Add(r);
        _tensors.Add(f);
        return (r, f);
    }

    /// <summary>Throws unless the two tensors agree within |Δ| ≤ atol + rtol·|reference|; the message names the worst element.</summary>
    /// <exception cref="InvalidOperationException">They differ.</exception>
    protected static void CheckClose(string what, Tensor reference, Tensor fast, double rtol = 2e-4, double atol = 2e-4)
    {
        float[] e = reference.ToArray(), a = fast.ToArray();
        int worst = -1;
        double worstError = 0;
        for (int i = 0; i < e.Length; i++)
        {
            double error = Math.Abs((double)e[i] - a[i]);
            if (!(error <= atol + (rtol * Math.Abs(e[i]))) && (worst < 0 || error > worstError || double.IsNaN(error)))
            {
                worst = i;
                worstError = error;
            }
        }

        if (worst >= 0)
        {
            throw new InvalidOperationException($"{what}: the fast kernel differs from the reference at [{worst}]: {a[worst]:R} vs {e[worst]:R}.");
        }
    }
}
