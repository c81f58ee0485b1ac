// Entry point of the dcgan command-line program: train, generate.
namespace Dcgan.Samples;

using System.CommandLine;
using Dcgan.Samples.Commands;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("dcgan: train and sample DCGANs on MNIST with Dcgan, a pure C# neural-network library.")
        {
            TrainCommand.Create(),
            GenerateCommand.Create(),
            Devices.CreateCommand(),
            BenchCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
