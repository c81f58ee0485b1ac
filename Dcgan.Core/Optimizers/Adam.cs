// Adam (Kingma & Ba 2015) as torch.optim.Adam: bias-corrected, eps after the square root, L2 weight decay
// added to the gradient. Parameters that are consecutive in one flat buffer are updated in one pass.
namespace Dcgan.Optimizers;

using Dcgan.Backends;
using Dcgan.Modules;
using Dcgan.Tensors;

/// <summary>
/// <c>torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)</c>.
/// State per parameter: <c>exp_avg</c>, <c>exp_avg_sq</c> (zero at start) and a shared step count.
/// When the parameters are contiguous views of one network's flat buffer (the usual case) an update is one
/// backend call.
/// </summary>
public sealed class Adam : IDisposable
{
    private readonly List<Parameter> _parameters;
    private readonly List<Run> _runs = [];
    private readonly Dictionary<Parameter, (Tensor ExpAvg, Tensor ExpAvgSq)> _state = [];

    /// <summary>Creates the optimizer and its zeroed state on the parameters' backend.</summary>
    /// <param name="parameters">Parameters bound to one backend (see <see cref="Module.To"/>).</param>
    /// <param name="learningRate">lr, &gt; 0. DCGAN uses 2e-4, TensorFlow's tutorial 1e-4.</param>
    /// <param name="beta1">β1 in [0, 1). DCGAN uses 0.5.</param>
    /// <param name="beta2">β2 in [0, 1).</param>
    /// <param name="eps">eps &gt; 0 (Keras uses 1e-7).</param>
    /// <param name="weightDecay">L2 penalty ≥ 0, added to the gradient.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range, there is no parameter, or parameters live on different backends.</exception>
    public Adam(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        LearningRate = learningRate;
        CheckRange(beta1, 0, 1, nameof(beta1));
        CheckRange(beta2, 0, 1, nameof(beta2));
        if (!(eps > 0))
        {
            throw new ArgumentException($"eps is {eps}; it must be > 0.", nameof(eps));
        }

        if (!(weightDecay >= 0))
        {
            throw new ArgumentException($"weight_decay is {weightDecay}; it must be >= 0.", nameof(weightDecay));
        }

        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        _parameters = [.. parameters];
        if (_parameters.Count == 0)
        {
            throw new ArgumentException("Adam got an empty parameter list.", nameof(parameters));
        }

        IBackend backend = _parameters[0].Data.Backend;
        if (_parameters.Any(p => !ReferenceEquals(p.Data.Backend, backend)))
        {
            throw new ArgumentException("Adam's parameters must all live on one backend.", nameof(parameters));
        }

        BuildRuns(backend);
    }

    /// <summary>lr; may be changed between steps (a schedule). Hyper-parameters are float64, as PyTorch's Python floats.</summary>
    /// <exception cref="ArgumentException">Set to a value ≤ 0 or not finite.</exception>
    public double LearningRate
    {
        get;
        set => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentException($"lr is {value}; it must be a finite value > 0.", nameof(value));
    }

    /// <summary>β1.</summary>
    public double Beta1 { get; }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>eps.</summary>
    public double Eps { get; }

    /// <summary>weight_decay.</summary>
    public double WeightDecay { get; }

    /// <summary>step: updates done so far (PyTorch keeps one per parameter; here they are always equal).</summary>
    public long StepCount { get; set; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>exp_avg and exp_avg_sq of one parameter (views into the optimizer's flat state).</summary>
    /// <exception cref="KeyNotFoundException">The parameter is not one of this optimizer's.</exception>
    public (Tensor ExpAvg, Tensor ExpAvgSq) StateOf(Parameter parameter) => _state[parameter];

    /// <summary>Performs one update with the current gradients.</summary>
    public void Step()
    {
        StepCount++;
        var p = new AdamStepParameters(LearningRate, Beta1, Beta2, Eps, WeightDecay,
            1.0 - Math.Pow(Beta1, StepCount), 1.0 - Math.Pow(Beta2, StepCount));
        foreach (Run run in _runs)
        {
            run.Data.Backend.AdamStep(p, run.Data, run.Grad, run.ExpAvg, run.ExpAvgSq);
        }
    }

    /// <summary>Sets the gradients of this optimizer's parameters to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Run run in _runs)
        {
            run.Grad.Backend.Fill(run.Grad, 0f);
        }
    }

    /// <summary>Frees the optimizer state.</summary>
    public void Dispose()
    {
        foreach (Run run in _runs)
        {
            run.ExpAvg.Dispose();
            run.ExpAvgSq.Dispose();
        }

        _runs.Clear();
    }

    private static void CheckRange(double value, double low, double highExclusive, string name)
    {
        if (!(value >= low && value < highExclusive))
        {
            throw new ArgumentException($"{name} is {value}; it must be in [{low}, {highExclusive}).", name);
        }
    }

    private void BuildRuns(IBackend backend)
    {
        int i = 0;
        while (i < _parameters.Count)
        {
            int j = i + 1;
            int length = _parameters[i].Shape.ElementCount;
            while (j < _parameters.Count && Follows(_parameters[j - 1], _parameters[j]))
            {
                length += _parameters[j].Shape.ElementCount;
                j++;
            }

            Parameter first = _parameters[i];
            var flat = new TensorShape(length);
            var data = new Tensor(backend, first.Data.Storage, first.Data.Offset, flat, ownsStorage: false);
            var grad = new Tensor(backend, first.Grad.Storage, first.Grad.Offset, flat, ownsStorage: false);
            var run = new Run(data, grad, backend.Allocate(flat), backend.Allocate(flat));
            _runs.Add(run);
            int offset = 0;
            for (int k = i; k < j; k++)
            {
                TensorShape shape = _parameters[k].Shape;
                _state[_parameters[k]] = (run.ExpAvg.Slice(offset, shape), run.ExpAvgSq.Slice(offset, shape));
                offset += shape.ElementCount;
            }

            i = j;
        }
    }

    private static bool Follows(Parameter a, Parameter b) =>
        ReferenceEquals(a.Data.Storage, b.Data.Storage) && ReferenceEquals(a.Grad.Storage, b.Grad.Storage)
        && b.Data.Offset == a.Data.Offset + a.Data.Length && b.Grad.Offset == a.Grad.Offset + a.Grad.Length;

    private sealed record Run(Tensor Data, Tensor Grad, Tensor ExpAvg, Tensor ExpAvgSq);
}
