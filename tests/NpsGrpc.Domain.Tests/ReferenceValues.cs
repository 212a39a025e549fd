using System.Text.Json;

namespace NpsGrpc.Domain.Tests;

/// <summary>
/// Statistics computed independently of the product (shared/cases/reference-values.json, found in a folder
/// named 'shared' beside the repository or above it).
/// </summary>
internal static class ReferenceValues
{
    private static readonly Lazy<JsonDocument> Document = new(Load);

    public static JsonElement Root => Document.Value.RootElement;

    private static JsonDocument Load()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string path = Path.Combine(directory.FullName, "shared", "cases", "reference-values.json");
            if (File.Exists(path))
            {
                return JsonDocument.Parse(File.ReadAllText(path));
            }
        }

        throw new FileNotFoundException(
            $"shared/cases/reference-values.json was not found in any folder above {AppContext.BaseDirectory}.");
    }
}
