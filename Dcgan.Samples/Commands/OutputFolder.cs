// Output folders as the user named them: a path that is a file (or lies under one) and a folder that cannot be
// created get one sentence naming the flag and the path, not .NET's "The file '…' already exists."
namespace Dcgan.Samples.Commands;

public static class OutputFolder
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="folder"/> or a folder above it is a file.
    /// <paramref name="given"/> is the flag's value when it names a file inside <paramref name="folder"/>.
    /// </summary>
    public static void CheckCanHold(string folder, string flag, string? given = null)
    {
        ArgumentNullException.ThrowIfNull(folder);
        for (string? p = Path.GetFullPath(folder); !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                throw new ArgumentException(given is null && p == Path.GetFullPath(folder)
                    ? $"{flag} {folder} is a file; expected a folder (it is created when missing)."
                    : $"{flag} {given ?? folder}: {p} is a file, so no folder can be made inside it.");
            }

            if (Directory.Exists(p))
            {
                return;
            }
        }
    }

    /// <summary>Creates <paramref name="folder"/>, turning a failure into one line naming the flag and the path.</summary>
    /// <exception cref="ArgumentException">A file stands where a folder should be.</exception>
    /// <exception cref="IOException">The folder cannot be created (permissions, a read-only or special file system).</exception>
    public static void Create(string folder, string flag)
    {
        CheckCanHold(folder, flag);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException($"{flag} {folder}: cannot create the folder there (permission denied).");
        }
        catch (IOException e)
        {
            throw new IOException($"{flag} {folder}: cannot create the folder there ({e.GetType().Name switch
            {
                nameof(DirectoryNotFoundException) => "a folder above it cannot be created",
                nameof(PathTooLongException) => "the path is too long",
                _ => "the file system refused",
            }}).", e);
        }
    }
}
