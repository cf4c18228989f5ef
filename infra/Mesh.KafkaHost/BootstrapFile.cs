namespace Mesh.KafkaHost;

/// <summary>The file other processes read the bootstrap string from (one line).</summary>
internal static class BootstrapFile
{
    // Written to a temporary file and renamed, so a reader sees either no file or the whole line.
    public static void Write(string path, string bootstrapServers)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, bootstrapServers + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    // Only our own line is removed: a newer host may already have replaced the file.
    public static void DeleteIfOwn(string path, string bootstrapServers)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() == bootstrapServers)
        {
            File.Delete(path);
        }
    }
}
