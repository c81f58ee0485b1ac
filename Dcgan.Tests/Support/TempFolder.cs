// A fresh folder under the system temp folder per test, deleted on dispose, so tests never share files.
namespace Dcgan.Tests.Support;

public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dcgan-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Write(string name, byte[] bytes)
    {
        string path = File(name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Every file below the folder (hidden ones included) with its size, to check that nothing was written.</summary>
    public string Listing() => string.Join("\n", Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
        .Select(f => $"{System.IO.Path.GetRelativePath(Path, f)} {new FileInfo(f).Length}")
        .Order(StringComparer.Ordinal));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
