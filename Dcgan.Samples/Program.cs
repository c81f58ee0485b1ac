// Entry point of the dcgan command-line program.
namespace Dcgan.Samples;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("dcgan: the trainer is not built yet.");
        return args.Length == 0 ? 0 : 1;
    }
}
