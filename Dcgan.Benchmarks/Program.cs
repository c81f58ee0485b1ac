// BenchmarkDotNet entry point: `dotnet run -c Release --project Dcgan.Benchmarks -- --filter '*'`.
namespace Dcgan.Benchmarks;

using BenchmarkDotNet.Running;

public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
