// One training iteration's numbers, as pytorch/examples dcgan prints them: Loss_D, Loss_G, D(x) and D(G(z)).
namespace Dcgan.Samples.Output;

/// <summary>The losses and discriminator outputs of one training iteration.</summary>
/// <param name="Epoch">Epoch number as the trainer counts it.</param>
/// <param name="Step">Global iteration index across all epochs (x axis of the loss plot).</param>
/// <param name="LossD">Discriminator loss, BCE on real plus BCE on fake (PyTorch's <c>errD</c>).</param>
/// <param name="LossG">Generator loss (PyTorch's <c>errG</c>).</param>
/// <param name="DX">Mean D(x) on the real batch, in [0, 1].</param>
/// <param name="DGz">Mean D(G(z)) on the fake batch, in [0, 1].</param>
public readonly record struct LossRecord(int Epoch, long Step, float LossD, float LossG, float DX, float DGz);
