// Writes a whole file or nothing: the bytes go to a temporary file in the same folder, which is
// flushed to disk and then renamed over the target (rename within one file system is atomic on
// Linux and on NTFS), so a crash or Ctrl+C never leaves a half-written PNG, GIF or plot behind.
namespace Dcgan.Samples.Output;

/// <summary>Atomic whole-file writes (temporary file in the target's folder, then rename).</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, replacing any existing file atomically.</summary>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"Path '{path}' has no folder.", nameof(path));
        Directory.CreateDirectory(directory);
        // Same folder as the target: a rename across file systems would be a copy, not atomic.
        string temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark, atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        WriteAllBytes(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
