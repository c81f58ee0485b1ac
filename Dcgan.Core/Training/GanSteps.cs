// The two GAN training steps people know: pytorch/examples' alternating DCGAN step, and the simultaneous
// train_step of TensorFlow's DCGAN tutorial. Both use BCE with logits (the stable form of Sigmoid + BCELoss).
namespace Dcgan.Training;

using Dcgan.Losses;
using Dcgan.Modules;
using Dcgan.Optimizers;
using Dcgan.Tensors;

/// <summary>The numbers of one GAN step, as pytorch/examples prints them.</summary>
/// <param name="LossD">Loss_D = BCE(D(x), 1) + BCE(D(G(z)), 0).</param>
/// <param name="LossG">Loss_G = BCE(D(G(z)), 1).</param>
/// <param name="DX">D(x): mean of sigmoid(D's logits) on the real batch.</param>
/// <param name="DGZ1">D(G(z)) before D's update: mean of sigmoid(D's logits) on the fake batch.</param>
/// <param name="DGZ2">D(G(z)) after D's update (equal to <paramref name="DGZ1"/> in the simultaneous step).</param>
public readonly record struct GanStepResult(float LossD, float LossG, float DX, float DGZ1, float DGZ2);

/// <summary>A GAN training step: updates both networks from one real batch and one noise batch.</summary>
public abstract class GanStep : IDisposable
{
    private readonly BCEWithLogitsLoss _lossReal = new();
    private readonly BCEWithLogitsLoss _lossFake = new();
    private readonly BCEWithLogitsLoss _lossGenerator = new();
    private readonly Parameter[] _discriminatorParameters;
    private readonly bool[] _discriminatorFlags;
    private float[] _logits = [];

    /// <summary>Creates the step.</summary>
    /// <param name="generator">G, bound to a backend, mapping noise to images.</param>
    /// <param name="discriminator">D, bound to the same backend, mapping images to logits (one per sample).</param>
    /// <param name="optimizerG">Adam over G's parameters.</param>
    /// <param name="optimizerD">Adam over D's parameters.</param>
    protected GanStep(Module generator, Module discriminator, Adam optimizerG, Adam optimizerD)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(discriminator);
        ArgumentNullException.ThrowIfNull(optimizerG);
        ArgumentNullException.ThrowIfNull(optimizerD);
        Generator = generator;
        Discriminator = discriminator;
        OptimizerG = optimizerG;
        OptimizerD = optimizerD;
        _discriminatorParameters = [.. discriminator.Parameters()];
        _discriminatorFlags = new bool[_discriminatorParameters.Length];
    }

    /// <summary>G.</summary>
    public Module Generator { get; }

    /// <summary>D.</summary>
    public Module Discriminator { get; }

    /// <summary>G's optimizer.</summary>
    public Adam OptimizerG { get; }

    /// <summary>D's optimizer.</summary>
    public Adam OptimizerD { get; }

    /// <summary>The fake batch G produced in the last step (owned by G, overwritten by its next forward).</summary>
    public Tensor? LastFake { get; protected set; }

    /// <summary>Runs one step on a real batch <c>[N, C, H, W]</c> and a noise batch shaped for G's input.</summary>
    /// <exception cref="ArgumentException">The batch sizes differ or a shape does not fit the networks.</exception>
    public abstract GanStepResult Step(Tensor real, Tensor noise);

    /// <summary>Frees the step's buffers and the loss buffers.</summary>
    public void Dispose()
    {
        DisposeBuffers();
        _lossReal.Dispose();
        _lossFake.Dispose();
        _lossGenerator.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees buffers a derived step owns (called once by <see cref="Dispose"/>); none here.</summary>
    protected virtual void DisposeBuffers()
    {
    }

    /// <summary>Throws unless both batches have the same number of samples.</summary>
    /// <exception cref="ArgumentException">They differ.</exception>
    protected static void CheckBatches(Tensor real, Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(noise);
        if (real.Shape.Rank == 0 || noise.Shape.Rank == 0 || real.Shape[0] != noise.Shape[0])
        {
            throw new ArgumentException($"real {real.Shape} and noise {noise.Shape} must hold the same number of samples.", nameof(noise));
        }
    }

    /// <summary>D's loss on real logits (target 1): returns the loss and D(x); the gradient is in <see cref="RealGrad"/>.</summary>
    protected (float Loss, float Mean) RealLoss(Tensor logits) => (_lossReal.Forward(logits, 1f).Item(), MeanSigmoid(logits));

    /// <summary>D's loss on fake logits (target 0): returns the loss and D(G(z)).</summary>
    protected (float Loss, float Mean) FakeLoss(Tensor logits) => (_lossFake.Forward(logits, 0f).Item(), MeanSigmoid(logits));

    /// <summary>G's loss on fake logits (target 1): returns the loss and D(G(z)).</summary>
    protected (float Loss, float Mean) GeneratorLoss(Tensor logits) => (_lossGenerator.Forward(logits, 1f).Item(), MeanSigmoid(logits));

    /// <summary>∂loss/∂logits of the last <see cref="RealLoss"/>.</summary>
    protected Tensor RealGrad => _lossReal.Backward();

    /// <summary>∂loss/∂logits of the last <see cref="FakeLoss"/>.</summary>
    protected Tensor FakeGrad => _lossFake.Backward();

    /// <summary>∂loss/∂logits of the last <see cref="GeneratorLoss"/>.</summary>
    protected Tensor GeneratorGrad => _lossGenerator.Backward();

    /// <summary>Back-propagates through D without accumulating into D's parameter gradients.</summary>
    protected Tensor BackwardThroughFrozenDiscriminator(Tensor gradLogits)
    {
        // D's parameter list is fixed at construction; arrays instead of LINQ keep the step free of allocations.
        for (int i = 0; i < _discriminatorParameters.Length; i++)
        {
            _discriminatorFlags[i] = _discriminatorParameters[i].RequiresGrad;
            _discriminatorParameters[i].RequiresGrad = false;
        }

        try
        {
            return Discriminator.Backward(gradLogits);
        }
        finally
        {
            for (int i = 0; i < _discriminatorParameters.Length; i++)
            {
                _discriminatorParameters[i].RequiresGrad = _discriminatorFlags[i];
            }
        }
    }

    private float MeanSigmoid(Tensor logits)
    {
        if (_logits.Length != logits.Length)
        {
            _logits = new float[logits.Length];
        }

        logits.Backend.Download(logits, _logits);
        double sum = 0;
        foreach (float v in _logits)
        {
            sum += 1.0 / (1.0 + Math.Exp(-v));
        }

        return (float)(sum / _logits.Length);
    }
}

/// <summary>
/// pytorch/examples' DCGAN step (Goodfellow et al. 2014, non-saturating G loss): D on real → backward;
/// fake = G(z); D on fake.detach() → backward (gradients add); D's Adam step; then fake through the updated D
/// → BCE against 1 → backward into G (D's parameter gradients untouched) → G's Adam step. Every forward runs in
/// the networks' current mode, so in training mode D's BatchNorm statistics update three times, G's once.
/// After the step the gradient buffers still hold the gradients that were applied.
/// </summary>
public sealed class AlternatingGanStep : GanStep
{
    /// <inheritdoc cref="GanStep(Module, Module, Adam, Adam)"/>
    public AlternatingGanStep(Module generator, Module discriminator, Adam optimizerG, Adam optimizerD)
        : base(generator, discriminator, optimizerG, optimizerD)
    {
    }

    /// <inheritdoc/>
    public override GanStepResult Step(Tensor real, Tensor noise)
    {
        CheckBatches(real, noise);

        // (1) Update D: maximise log D(x) + log(1 − D(G(z))).
        OptimizerD.ZeroGrad();
        (float lossReal, float dx) = RealLoss(Discriminator.Forward(real));
        Discriminator.Backward(RealGrad);
        Tensor fake = Generator.Forward(noise);
        LastFake = fake;
        (float lossFake, float dgz1) = FakeLoss(Discriminator.Forward(fake));
        Discriminator.Backward(FakeGrad);
        OptimizerD.Step();

        // (2) Update G: maximise log D(G(z)) through the updated D.
        OptimizerG.ZeroGrad();
        (float lossG, float dgz2) = GeneratorLoss(Discriminator.Forward(fake));
        Generator.Backward(BackwardThroughFrozenDiscriminator(GeneratorGrad));
        OptimizerG.Step();
        return new GanStepResult(lossReal + lossFake, lossG, dx, dgz1, dgz2);
    }
}

/// <summary>
/// TensorFlow's DCGAN tutorial's simultaneous <c>train_step</c>: fake = G(z); D on real and on fake; gen_loss =
/// BCE(D(fake), 1); disc_loss = BCE(D(real), 1) + BCE(D(fake), 0); both gradients from the same forward passes
/// (D's fake pass is back-propagated twice: once into D's parameters for disc_loss, once through frozen D into G
/// for gen_loss); then both Adam steps. Each D pass is run and back-propagated before the next (the passes are
/// independent, so this equals TensorFlow's two tapes exactly, with or without BatchNorm in D).
/// </summary>
public sealed class SimultaneousGanStep : GanStep
{
    /// <inheritdoc cref="GanStep(Module, Module, Adam, Adam)"/>
    public SimultaneousGanStep(Module generator, Module discriminator, Adam optimizerG, Adam optimizerD)
        : base(generator, discriminator, optimizerG, optimizerD)
    {
    }

    /// <inheritdoc/>
    public override GanStepResult Step(Tensor real, Tensor noise)
    {
        CheckBatches(real, noise);
        OptimizerD.ZeroGrad();
        OptimizerG.ZeroGrad();
        Tensor fake = Generator.Forward(noise);
        LastFake = fake;

        (float lossReal, float dx) = RealLoss(Discriminator.Forward(real));
        Discriminator.Backward(RealGrad);

        Tensor fakeLogits = Discriminator.Forward(fake);
        (float lossFake, float dgz) = FakeLoss(fakeLogits);
        (float lossG, _) = GeneratorLoss(fakeLogits);
        Discriminator.Backward(FakeGrad);
        Generator.Backward(BackwardThroughFrozenDiscriminator(GeneratorGrad));

        OptimizerG.Step();
        OptimizerD.Step();
        return new GanStepResult(lossReal + lossFake, lossG, dx, dgz, dgz);
    }
}
