using System.Text;
using NpsGrpc.Testing;

namespace NpsGrpc.Cli.Tests;

/// <summary>Locations of test data, and scratch CSV files that tests write themselves.</summary>
public static class TestFiles
{
    /// <summary>
    /// Returns the path of <paramref name="relativePath"/> under shared/data: the nearest folder above the test
    /// binaries that contains shared/data/miro-nps (the data sets live beside the repository, not in it).
    /// </summary>
    public static string SharedData(string relativePath)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null)
        {
            string data = Path.Combine(directory.FullName, "shared", "data");
            if (Directory.Exists(Path.Combine(data, "miro-nps")))
            {
                return Path.Combine(data, relativePath);
            }

            directory = directory.Parent;
        }

        throw new InvalidOperationException(
            $"No folder above {AppContext.BaseDirectory} contains shared/data/miro-nps; place the shared data " +
            "folder beside the repository.");
    }

    /// <summary>Returns the path of a file in the repository's samples folder.</summary>
    public static string Sample(string relativePath) =>
        Path.Combine(TestDatabase.RepositoryRoot(), "samples", relativePath);

    /// <summary>Returns a customer id prefix that no other test uses.</summary>
    public static string UniquePrefix() => $"c{Guid.NewGuid():N}"[..13];
}

/// <summary>A CSV file in the temporary folder, deleted on dispose.</summary>
public sealed class TemporaryCsv : IDisposable
{
    /// <summary>
    /// Writes <paramref name="content"/> as UTF-8, exactly as given, optionally after a byte order mark.
    /// </summary>
    public TemporaryCsv(string content, bool byteOrderMark = false)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nps-cli-test-{Guid.NewGuid():N}.csv");
        File.WriteAllText(Path, content, new UTF8Encoding(byteOrderMark));
    }

    /// <summary>Path of the file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public void Dispose() => File.Delete(Path);
}
